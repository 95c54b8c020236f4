import { mkdtemp, mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseManifestText, readManifests } from "./manifests.ts";
import { kubeconfigText, parseKubeconfig } from "./state.ts";
import { parse } from "yaml";

describe("parseManifestText", () => {
  it("splits documents, skips empty ones, flattens Lists", () => {
    const text = `---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n---\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: c}}\n`;
    const out = parseManifestText(text, "f.yaml", "/d");
    expect(out.map((m) => (m.object.metadata as { name: string }).name)).toEqual(["a", "b", "c"]);
    expect(out.map((m) => m.source)).toEqual(["f.yaml#1", "f.yaml#3.1", "f.yaml#3.2"]);
    expect(out.every((m) => m.dir === "/d")).toBe(true);
  });

  it("reads JSON", () => {
    expect(parseManifestText('{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"x"}}', "x.json", "/")).toHaveLength(1);
  });

  it.each([
    ["key: [unclosed", /f\.yaml: document 1/],
    ["- a\n- b\n", /not an object/],
  ])("rejects %j", (text, message) => {
    expect(() => parseManifestText(text, "f.yaml", "/")).toThrow(message);
  });

  it("answers nothing for an empty text", () => {
    expect(parseManifestText("", "e.yaml", "/")).toEqual([]);
  });
});

describe("readManifests", () => {
  it("reads a directory's yaml/yml/json files in name order, not recursively, relative to each file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "knit-manifests-"));
    const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;
    await writeFile(join(dir, "b.yml"), cm("b"));
    await writeFile(join(dir, "a.yaml"), cm("a"));
    await writeFile(join(dir, "c.json"), JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } }));
    await writeFile(join(dir, "notes.txt"), "ignored");
    await mkdir(join(dir, "sub"));
    await writeFile(join(dir, "sub", "d.yaml"), cm("d"));
    const out = await readManifests([dir]);
    expect(out.map((m) => (m.object.metadata as { name: string }).name)).toEqual(["a", "b", "c"]);
    expect(out[0].dir).toBe(dir);
    const stdin = await readManifests(["-"], async () => cm("s"));
    expect(stdin[0].source).toBe("stdin#1");
  });

  it("names a missing path", async () => {
    await expect(readManifests(["/no/such/file.yaml"])).rejects.toThrow(/"\/no\/such\/file.yaml" does not exist/);
  });
});

describe("kubeconfig", () => {
  it("round-trips server, token and namespace", () => {
    const text = kubeconfigText("http://127.0.0.1:8081", "tok");
    expect(parseKubeconfig(parse(text))).toEqual({ server: "http://127.0.0.1:8081", token: "tok", namespace: "default" });
    expect(parse(text)["current-context"]).toBe("knit");
  });

  it("carries the CA for an https server", () => {
    const text = kubeconfigText("https://127.0.0.1:8081", "tok", "PEM\n");
    expect(parse(text).clusters[0].cluster["certificate-authority-data"]).toBe(Buffer.from("PEM\n").toString("base64"));
    expect(parseKubeconfig(parse(text))).toEqual({ server: "https://127.0.0.1:8081", token: "tok", namespace: "default", ca: "PEM\n" });
  });
});
