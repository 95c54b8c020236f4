// `knit dev`: the platform through Miniflare; an edit of a worker:// module becomes a new Revision.

import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Agent } from "node:http";
import { freePorts } from "../../src/cli/state.ts";
import { KNIT, ROOT } from "./helpers/platform.ts";
import { hit, waitFor } from "./helpers/load.ts";

const dir = mkdtempSync(join(tmpdir(), "knit-dev-"));
const module = (text: string) => `export default { fetch(_r, env) { return new Response("${text} " + env.K_REVISION); } };`;
let child: ReturnType<typeof spawn> | undefined;

afterAll(() => {
  child?.kill("SIGINT");
});

describe("knit dev", () => {
  it("serves the manifests through Miniflare and turns an edit into a new Revision within 2 s", async () => {
    writeFileSync(join(dir, "app.ts"), module("first"));
    writeFileSync(join(dir, "service.yaml"), `apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: live
spec:
  template:
    spec:
      containers:
        - image: worker://./app.ts
`);
    const [port, apiPort] = await freePorts(2);
    child = spawn(process.execPath, [KNIT, "dev", "--port", String(port), "--api-port", String(apiPort), "--state-dir", join(dir, "state"), "-f", dir], { cwd: ROOT });
    let out = "";
    child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr!.on("data", (c: Buffer) => (out += c.toString()));
    const agent = new Agent({ keepAlive: false });
    await waitFor("dev to serve live", async () => ((await hit(agent, port, "live.default.example.com").catch(() => undefined))?.body === "first live-00001") || undefined, 30_000);
    writeFileSync(join(dir, "app.ts"), module("second"));
    const edited = Date.now();
    await waitFor("the edit to be served", async () => ((await hit(agent, port, "live.default.example.com")).body === "second live-00002") || undefined, 5_000);
    expect(Date.now() - edited).toBeLessThan(2000);
    // The log line may come a moment after the new revision answers.
    await waitFor("dev to log the new revision", () => out.includes("live: revision live-00002") || undefined, 5_000);
  }, 60_000);
});
