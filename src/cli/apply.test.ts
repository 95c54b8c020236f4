// apply/delete/push against an in-process fake of the API (node:http): the HTTP conversation is what
// is tested here; the real API is tested by its own suites and by test/e2e.
import { createServer, type Server } from "node:http";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applySources, mergeForUpdate } from "./apply.ts";
import { ApiClient, ApiError } from "./client.ts";
import { deleteTargets, targetsFromFiles } from "./delete.ts";
import { push } from "./push.ts";

type Obj = { metadata: { name: string; resourceVersion?: string; [k: string]: unknown }; [k: string]: unknown };
const objects = new Map<string, Obj>();
const pushes: { name: string; tag: string | null; code: string }[] = [];
let conflictsToSend = 0;
let server: Server;
let client: ApiClient;

function reply(res: import("node:http").ServerResponse, code: number, body: unknown) {
  res.writeHead(code, { "content-type": "application/json" }).end(JSON.stringify(body));
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    let body = "";
    for await (const c of req) body += c;
    const url = new URL(req.url!, "http://x");
    if (req.headers.authorization !== "Bearer t") return reply(res, 401, { kind: "Status", reason: "Unauthorized", message: "Unauthorized" });
    const script = url.pathname.match(/^\/knit\/v1\/scripts\/(.+)$/);
    if (script && req.method === "PUT") {
      pushes.push({ name: script[1], tag: url.searchParams.get("tag"), code: body });
      return reply(res, 201, { name: script[1], digest: "sha256:abc", image: `worker://${script[1]}@sha256:abc` });
    }
    const live = objects.get(url.pathname);
    if (req.method === "GET") return live ? reply(res, 200, live) : reply(res, 404, { kind: "Status", reason: "NotFound", message: `"${url.pathname}" not found` });
    if (req.method === "POST") {
      const o = JSON.parse(body) as Obj;
      if (o.kind === "Service" && !o.spec) return reply(res, 422, { kind: "Status", reason: "Invalid", message: 'Service "x" is invalid: spec: Required value' });
      o.metadata.resourceVersion = "1";
      o.metadata.uid = "uid-1";
      o.status = { observedGeneration: 1 };
      objects.set(`${url.pathname}/${o.metadata.name}`, o);
      return reply(res, 201, o);
    }
    if (req.method === "PUT" && live) {
      if (conflictsToSend > 0) {
        conflictsToSend--;
        return reply(res, 409, { kind: "Status", reason: "Conflict", message: "the object has been modified" });
      }
      const o = JSON.parse(body) as Obj;
      o.metadata.resourceVersion = String(Number(live.metadata.resourceVersion) + 1);
      objects.set(url.pathname, o);
      return reply(res, 200, o);
    }
    if (req.method === "DELETE" && live) {
      objects.delete(url.pathname);
      return reply(res, 200, { kind: "Status", status: "Success" });
    }
    reply(res, 404, { kind: "Status", reason: "NotFound", message: "not found" });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.address() as { port: number };
  client = new ApiClient({ server: `http://127.0.0.1:${addr.port}`, token: "t" });
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function fixture(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "knit-apply-"));
  await writeFile(join(dir, "hello.ts"), "export default { fetch: () => new Response('hi') };\n");
  const svc = (target: string) => `apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: hello
  labels: {team: a}
spec:
  template:
    spec:
      containers:
        - image: worker://./hello.ts
          env: [{name: TARGET, value: ${target}}]
`;
  await writeFile(join(dir, "svc.yaml"), svc("World"));
  await writeFile(join(dir, "svc2.yml"), `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, namespace: other}\ndata: {a: "1"}\n---\n${svc("World").replace("name: hello", "name: hello2")}`);
  return dir;
}

describe("apply", () => {
  it("pushes local modules once, pins them, then creates / leaves unchanged / configures", async () => {
    const dir = await fixture();
    const lines: string[] = [];
    const log = (l: string) => lines.push(l);
    const first = await applySources([dir], { client, namespace: "default", log });
    expect(first.errors).toEqual([]);
    expect(lines).toEqual([
      "service.serving.knative.dev/hello created",
      "configmap/cfg created",
      "service.serving.knative.dev/hello2 created",
    ]);
    // One bundle + push for the one path two Services name.
    expect(pushes.map((p) => [p.name, p.tag])).toEqual([["hello", "latest"]]);
    expect(pushes[0].code).toContain("hi");
    const stored = objects.get("/apis/serving.knative.dev/v1/namespaces/default/services/hello")!;
    expect(JSON.stringify(stored)).toContain("worker://hello@sha256:abc");
    expect(objects.has("/api/v1/namespaces/other/configmaps/cfg")).toBe(true);

    lines.length = 0;
    await applySources([join(dir, "svc.yaml")], { client, namespace: "default", log });
    expect(lines).toEqual(["service.serving.knative.dev/hello unchanged"]);

    lines.length = 0;
    conflictsToSend = 1; // the first PUT loses a race: read again and retry once
    await writeFile(join(dir, "svc.yaml"), (await import("node:fs")).readFileSync(join(dir, "svc.yaml"), "utf8").replace("World", "Knit").replace("{team: a}", "{team: b}"));
    await applySources([join(dir, "svc.yaml")], { client, namespace: "default", log });
    expect(lines).toEqual(["service.serving.knative.dev/hello configured"]);
    const updated = objects.get("/apis/serving.knative.dev/v1/namespaces/default/services/hello")!;
    expect(updated.metadata.uid).toBe("uid-1");
    expect(updated.metadata.labels).toEqual({ team: "b" });
    expect(updated.status).toEqual({ observedGeneration: 1 });
    expect(JSON.stringify(updated.spec)).toContain("Knit");
  });

  it("collects server and kind errors per object and goes on", async () => {
    const dir = await mkdtemp(join(tmpdir(), "knit-apply-bad-"));
    await writeFile(join(dir, "x.yaml"), "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata: {name: x}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n");
    const lines: string[] = [];
    const result = await applySources([join(dir, "x.yaml")], { client, namespace: "default", log: (l) => lines.push(l) });
    expect(result.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/x\.yaml#1: Error from server \(Invalid\): Service "x" is invalid: spec: Required value/),
      expect.stringMatching(/x\.yaml#2: no matches for kind "Deployment" in version "apps\/v1"/),
    ]);
    expect(lines).toEqual(["configmap/ok created"]);
  });
});

describe("mergeForUpdate", () => {
  it("keeps server-set metadata and status, replaces labels, annotations, spec and data", () => {
    const live = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", uid: "u", resourceVersion: "7", labels: { old: "1" }, annotations: { a: "1" } }, data: { x: "1" }, status: { s: 1 } };
    const desired = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", labels: { new: "2" } }, binaryData: { b: "AA==" } };
    expect(mergeForUpdate(live, desired)).toEqual({
      apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", uid: "u", resourceVersion: "7", labels: { new: "2" } }, binaryData: { b: "AA==" }, status: { s: 1 },
    });
  });
});

describe("delete and push", () => {
  it("deletes what manifests name, reporting missing ones unless ignored", async () => {
    const dir = await mkdtemp(join(tmpdir(), "knit-del-"));
    await writeFile(join(dir, "d.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: gone}\n");
    const targets = await targetsFromFiles([join(dir, "d.yaml")], "default");
    const lines: string[] = [];
    const errors = await deleteTargets(targets, { client, log: (l) => lines.push(l) });
    expect(lines).toEqual(['configmaps "ok" deleted']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ApiError);
    expect(await deleteTargets(targets, { client, ignoreNotFound: true, log: () => {} })).toEqual([]);
  });

  it("push bundles, names by directory for index files, and answers the pinned image", async () => {
    const dir = await mkdtemp(join(tmpdir(), "knit-push-"));
    await (await import("node:fs/promises")).mkdir(join(dir, "greeter"));
    await writeFile(join(dir, "greeter", "index.ts"), "export default { fetch: () => new Response('g') };\n");
    expect(await push({ client, path: join(dir, "greeter", "index.ts") })).toBe("worker://greeter@sha256:abc");
    expect(await push({ client, path: join(dir, "greeter", "index.ts"), name: "other", tag: "v2" })).toBe("worker://other@sha256:abc");
    expect(pushes.at(-1)).toMatchObject({ name: "other", tag: "v2" });
  });

  it("refuses a wrong token with the server's status", async () => {
    const bad = new ApiClient({ server: client.server, token: "wrong" });
    await expect(bad.get("/healthz")).rejects.toThrow("Error from server (Unauthorized): Unauthorized");
  });
});
