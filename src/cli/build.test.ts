// knit build's output really runs under workerd: a tiny worker with the platform's contract
// (default, api, Store) stands in for src/index.ts so this test does not depend on the API's code.
import { spawn } from "node:child_process";
import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { build, DEFAULT_V8_FLAGS, v8FlagsFromEnv } from "./build.ts";
import { ApiClient } from "./client.ts";
import { workerdBinary } from "./start.ts";
import { freePorts, parseKubeconfig } from "./state.ts";

const WORKER = `import { DurableObject, WorkerEntrypoint } from "cloudflare:workers";
export class Activator extends DurableObject {}
export class EventLog extends DurableObject {}
export class Pinger extends DurableObject {}
export class SourceRunner extends DurableObject {}
export class Outbound extends WorkerEntrypoint {}
export class Store extends DurableObject {
  fetch() { this.ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS t (x)"); return new Response("stored"); }
}
export default { fetch: (req) => new Response("ingress " + new URL(req.url).host) };
export const api = {
  fetch(req, env) {
    if (req.headers.get("authorization") !== "Bearer " + env.API_TOKEN) return new Response("no", { status: 401 });
    if (new URL(req.url).pathname === "/healthz") return new Response("ok");
    return env.STORE.get(env.STORE.idFromName("cluster")).fetch(req);
  },
};
`;

describe("knit build", () => {
  it("writes worker.js, config.capnp, kubeconfig, token and README that workerd serves", async () => {
    const dir = await mkdtemp(join(tmpdir(), "knit-build-"));
    const entry = join(dir, "entry.js");
    await writeFile(entry, WORKER);
    const [port, apiPort] = await freePorts(2);
    const out = await build({ out: join(dir, "out"), port, apiPort, stateDir: join(dir, "state"), entry });
    const token = (await readFile(out.tokenFile!, "utf8")).trim();
    expect((await stat(out.tokenFile!)).mode & 0o777).toBe(0o600);
    expect((await stat(out.config)).mode & 0o777).toBe(0o600);
    expect(await readFile(join(out.dir, "README.md"), "utf8")).toContain(`workerd serve ${out.config} --experimental`);
    const creds = parseKubeconfig(parse(await readFile(out.kubeconfig, "utf8")))!;
    expect(creds.server).toBe(`https://127.0.0.1:${apiPort}`);
    expect(creds.token).toBe(token);

    const child = spawn(workerdBinary(), ["serve", out.config, "--experimental"], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
    try {
      const client = new ApiClient({ server: creds.server, token, ca: creds.ca });
      let health: unknown;
      for (let i = 0; i < 100 && health === undefined; i++) {
        health = await client.get("/healthz", "text/plain").catch(() => undefined);
        if (health === undefined) await new Promise((r) => setTimeout(r, 100));
      }
      expect(health, stderr).toBe("ok");
      expect(await client.get("/anything")).toBe("stored"); // the SQLite Durable Object on local disk
      await expect(new ApiClient({ server: creds.server, token: "wrong", ca: creds.ca }).get("/healthz")).rejects.toMatchObject({ status: 401 });
      const ingress = await fetch(`http://127.0.0.1:${port}/`);
      expect(await ingress.text()).toBe(`ingress 127.0.0.1:${port}`);
    } finally {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    }
  }, 30_000);

  it("uses a given token instead of generating one", async () => {
    const dir = await mkdtemp(join(tmpdir(), "knit-build-"));
    await writeFile(join(dir, "e.js"), WORKER);
    const out = await build({ out: join(dir, "o"), port: 1, apiPort: 2, stateDir: join(dir, "s"), entry: join(dir, "e.js"), token: "given" });
    expect(out.tokenFile).toBeUndefined();
    expect(await readFile(out.config, "utf8")).toContain('(name = "API_TOKEN", text = "given")');
  });
});

describe("KNIT_V8_FLAGS", () => {
  it.each([
    [undefined, []],
    ["", []],
    ["--cppgc-young-generation", ["--cppgc-young-generation"]],
    ["  --a   --b=1 ", ["--a", "--b=1"]],
    ["--max-semi-space-size=16", ["--max-semi-space-size=16"]],
  ])("%j → the defaults, then %j", (value, flags) => {
    expect(v8FlagsFromEnv(value === undefined ? {} : { KNIT_V8_FLAGS: value })).toEqual([...DEFAULT_V8_FLAGS, ...flags]);
  });
});
