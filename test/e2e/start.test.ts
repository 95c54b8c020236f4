// `knit start` end to end: real workerd, the platform worker from src/index.ts, kubectl.
import { existsSync, readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { freePort } from "../../src/cli/state.ts";
import { runKnitStart, startKnit, type KnitHandle } from "./helpers/platform.ts";

describe("knit start", () => {
  let knit: KnitHandle;
  beforeAll(async () => {
    knit = await startKnit();
  }, 90_000);
  afterAll(async () => {
    await knit?.stop();
  });

  it("writes the token (0600) and a kubeconfig pointing at the API with it", () => {
    expect(knit.token).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(`${knit.stateDir}/token`).mode & 0o777).toBe(0o600);
    const cfg = parse(readFileSync(knit.kubeconfig, "utf8"));
    expect(cfg["current-context"]).toBe("knit");
    expect(cfg.clusters[0].cluster.server).toBe(knit.api);
    expect(cfg.users[0].user.token).toBe(knit.token);
    expect(existsSync(`${knit.stateDir}/build/config.capnp`)).toBe(true);
    expect(existsSync(`${knit.stateDir}/build/worker.js`)).toBe(true);
  });

  it("prints the URLs, the kubeconfig export and a curl line for hello", () => {
    const out = knit.output();
    expect(out).toContain(knit.ingress);
    expect(out).toContain(knit.api);
    expect(out).toContain(`export KUBECONFIG=${knit.kubeconfig}`);
    expect(out).toMatch(new RegExp(`curl -H 'Host: hello\\.default\\.[^']+' ${knit.ingress}/`));
  });

  it("serves the API over https with the kubeconfig's CA, refusing requests without the token", async () => {
    expect(knit.api).toMatch(/^https:/);
    expect(Buffer.from(parse(readFileSync(knit.kubeconfig, "utf8")).clusters[0].cluster["certificate-authority-data"], "base64").toString()).toBe(knit.ca);
    expect((await knit.apiRequest("/api/v1/namespaces/default/configmaps")).status).toBe(401);
    expect((await knit.apiRequest("/healthz", { authorization: "Bearer nope" })).status).toBe(401);
    expect(await knit.apiRequest("/healthz", { authorization: `Bearer ${knit.token}` })).toEqual({ status: 200, body: "ok" });
  });

  it("serves the example through the ingress by Host header", async () => {
    const line = knit.output().match(/curl -H 'Host: ([^']+)'/);
    const res = await knit.get(line![1]);
    expect(res.status).toBe(200);
    expect(res.body).toMatch(/Hello/);
  });

  it("kubectl works with the written kubeconfig", () => {
    const r = knit.kubectl(["get", "ksvc"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^NAME\s+URL\s+LATESTCREATED\s+LATESTREADY\s+READY\s+REASON/);
    expect(r.stdout).toMatch(/\nhello\s/);
  });

  it("a taken port is a clear error naming the port and its flag, exit 1", async () => {
    const ingress = runKnitStart(["--port", String(knit.port), "--api-port", String(await freePort()), "--state-dir", `${knit.stateDir}-other`]);
    expect(ingress.code).toBe(1);
    expect(ingress.output).toContain(`port ${knit.port}`);
    expect(ingress.output).toMatch(/--port or KNIT_PORT/);
    const api = runKnitStart(["--port", String(await freePort()), "--state-dir", `${knit.stateDir}-other`], { KNIT_API_PORT: String(knit.apiPort) });
    expect(api.code).toBe(1);
    expect(api.output).toContain(`port ${knit.apiPort}`);
    expect(api.output).toMatch(/--api-port or KNIT_API_PORT/);
  });

  it("refuses a second start on the same state dir", async () => {
    const r = runKnitStart(["--port", String(await freePort()), "--api-port", String(await freePort()), "--state-dir", knit.stateDir]);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/is in use by another knit start \(pid \d+\)/);
  });

  it("keeps state and the token across a restart, and stops cleanly on SIGTERM", async () => {
    const applied = knit.knit(["apply", "-f", "-"], "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: e2e-keep\ndata:\n  k: v\n");
    expect(applied.stdout).toContain("configmap/e2e-keep created");
    const { stateDir, port, apiPort, token } = knit;
    expect(await knit.stop()).toBe(0);
    knit = await startKnit({ stateDir, port, apiPort });
    expect(knit.token).toBe(token);
    // Not the first start: the examples are not applied again.
    expect(knit.output()).not.toMatch(/service\.serving\.knative\.dev\/hello (created|configured)/);
    // Services, their revisions and routes came back too: the example answers at once.
    const hello = await knit.get("hello.default.example.com");
    expect(hello.status).toBe(200);
    expect(hello.body).toBe("Hello World!\n");
    const got = knit.knit(["get", "cm", "e2e-keep", "-o", "json"]);
    expect(got.code).toBe(0);
    expect(JSON.parse(got.stdout).data).toEqual({ k: "v" });
  }, 120_000);
});

describe("knit start refusing a busy port before doing anything", () => {
  let blocker: Server;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    blocker = createServer();
    await new Promise<void>((r) => blocker.listen(port, "127.0.0.1", r));
  });
  afterAll(() => new Promise<void>((r) => blocker.close(() => r())));

  it("exits 1 naming the port, and creates no state", async () => {
    const stateDir = `/tmp/knit-e2e-never-${process.pid}`;
    const r = runKnitStart(["--port", String(port), "--api-port", String(await freePort()), "--state-dir", stateDir]);
    expect(r.code).toBe(1);
    expect(r.output).toContain(`port ${port} on 127.0.0.1 is already in use`);
    expect(existsSync(stateDir)).toBe(false);
  });
});
