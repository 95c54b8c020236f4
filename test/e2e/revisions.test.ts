// Worker revisions end to end: timeouts, failing modules, isolation from the API, watch, delete cascade.

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKnit, type KnitHandle } from "./helpers/platform.ts";
import { waitFor } from "./helpers/load.ts";

let knit: KnitHandle;
const dir = mkdtempSync(join(tmpdir(), "knit-rev-"));

beforeAll(async () => {
  knit = await startKnit();
}, 120_000);
afterAll(async () => {
  await knit?.stop();
});

function service(name: string, module: string, extra = ""): string {
  return `apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: ${name}
spec:
  template:
    spec:
${extra}      containers:
        - image: worker://./${module}
`;
}

function applyModule(name: string, source: string, extra = ""): void {
  writeFileSync(join(dir, `${name}.ts`), source);
  writeFileSync(join(dir, `${name}.yaml`), service(name, `${name}.ts`, extra));
  const r = knit.knit(["apply", "-f", join(dir, `${name}.yaml`)]);
  expect(r.stderr).toBe("");
}

function condition(kind: string, name: string, type: string): any {
  const r = knit.kubectl(["get", kind, name, "-o", "json"]);
  if (r.code !== 0) return undefined;
  return JSON.parse(r.stdout).status?.conditions?.find((c: any) => c.type === type);
}

describe("worker revisions", () => {
  it("enforces timeoutSeconds with a 504", async () => {
    applyModule("slow", `export default { async fetch() { await new Promise((r) => setTimeout(r, 5000)); return new Response("late"); } };`, "      timeoutSeconds: 1\n");
    await waitFor("slow Ready", () => condition("ksvc", "slow", "Ready")?.status === "True" || undefined);
    const started = Date.now();
    const res = await knit.get("slow.default.example.com");
    expect(res.status).toBe(504);
    expect(res.body).toContain("slow-00001");
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it("a module that throws while loading makes its Revision Ready=False with the error", async () => {
    applyModule("broken", `throw new Error("boom at start"); export default { fetch() { return new Response("never"); } };`);
    const ready = await waitFor("broken-00001 failing", () => {
      const c = condition("rev", "broken-00001", "Ready");
      return c?.status === "False" ? c : undefined;
    });
    expect(ready.message).toContain("boom at start");
    const ksvc = condition("ksvc", "broken", "Ready");
    expect(ksvc.status).toBe("False");
  });

  it("a module without a fetch handler is refused the same way", async () => {
    applyModule("nohandler", `export default { hello: 1 };`);
    const ready = await waitFor("nohandler-00001 failing", () => {
      const c = condition("rev", "nohandler-00001", "Ready");
      return c?.status === "False" ? c : undefined;
    });
    expect(ready.message).toMatch(/fetch/);
  });

  it("a revision that throws while handling answers 502 and others keep serving", async () => {
    applyModule("thrower", `export default { fetch() { throw new Error("handler exploded"); } };`);
    await waitFor("thrower Ready", () => condition("ksvc", "thrower", "Ready")?.status === "True" || undefined);
    const res = await knit.get("thrower.default.example.com");
    expect(res.status).toBe(502);
    expect((await knit.get("hello.default.example.com")).body).toContain("Hello");
  });

  it("a revision's isolate cannot reach the API or other loopback services", async () => {
    const api = knit.api.replace("https://", "http://");
    applyModule("prober", `export default { async fetch() {
      const tries = ["${knit.api}/healthz", "${api}/healthz", "${knit.ingress}/"];
      const out = [];
      for (const url of tries) { try { const r = await fetch(url); out.push(url + " " + r.status); } catch (e) { out.push(url + " blocked"); } }
      return new Response(out.join("\\n"));
    } };`);
    await waitFor("prober Ready", () => condition("ksvc", "prober", "Ready")?.status === "True" || undefined);
    const res = await knit.get("prober.default.example.com");
    expect(res.status).toBe(200);
    expect(res.body.split("\n").every((l) => l.endsWith("blocked"))).toBe(true);
  });

  it("a revision reaches another Knative Service by its cluster-local name, through Knit's ingress", async () => {
    applyModule("caller", `export default { async fetch() {
      const r = await fetch("http://hello.default.svc.cluster.local/");
      return new Response("callee said: " + (await r.text()), { status: r.status });
    } };`);
    await waitFor("caller Ready", () => condition("ksvc", "caller", "Ready")?.status === "True" || undefined);
    const res = await knit.get("caller.default.example.com");
    expect(res.status).toBe(200);
    expect(res.body).toContain("callee said: Hello");
  });

  it("env holds the container's env and K_SERVICE, K_CONFIGURATION, K_REVISION", async () => {
    writeFileSync(join(dir, "envy.ts"), `export default { fetch(_r, env) { return Response.json({ t: env.TARGET, s: env.K_SERVICE, c: env.K_CONFIGURATION, r: env.K_REVISION }); } };`);
    writeFileSync(join(dir, "envy.yaml"), service("envy", "envy.ts").replace("        - image: worker://./envy.ts\n", "        - image: worker://./envy.ts\n          env:\n            - name: TARGET\n              value: there\n"));
    expect(knit.knit(["apply", "-f", join(dir, "envy.yaml")]).stderr).toBe("");
    await waitFor("envy Ready", () => condition("ksvc", "envy", "Ready")?.status === "True" || undefined);
    const res = await knit.get("envy.default.example.com");
    expect(JSON.parse(res.body)).toEqual({ t: "there", s: "envy", c: "envy", r: "envy-00001" });
  });

  it("kubectl get -w streams changes, and deleting a Service deletes its Configuration, Route and Revisions", async () => {
    const watch = spawn("kubectl", ["get", "ksvc", "-w", "--no-headers"], { env: { ...process.env, KUBECONFIG: knit.kubeconfig } });
    let seen = "";
    watch.stdout.on("data", (c: Buffer) => (seen += c.toString()));
    await waitFor("initial watch rows", () => seen.includes("hello") || undefined);
    applyModule("watched", `export default { fetch() { return new Response("w"); } };`);
    await waitFor("watched in the watch stream", () => /watched\s+http:\/\/watched\.default\.example\.com/.test(seen) || undefined);
    watch.kill();
    const del = knit.kubectl(["delete", "ksvc", "watched"]);
    expect(del.stdout).toContain('service.serving.knative.dev "watched" deleted');
    for (const kind of ["configuration", "route", "revision"]) {
      const name = kind === "revision" ? "watched-00001" : "watched";
      expect(knit.kubectl(["get", kind, name]).stderr).toContain("NotFound");
    }
    expect((await knit.get("watched.default.example.com")).status).toBe(404);
  });

  it("a pod image reports Ready=False with the reason", async () => {
    const yaml = `apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: podded
spec:
  template:
    spec:
      containers:
        - image: gcr.io/knative-samples/helloworld-go
`;
    expect(knit.kubectl(["apply", "-f", "-"], yaml).code).toBe(0);
    const c = await waitFor("podded-00001 failing", () => {
      const cond = condition("rev", "podded-00001", "Ready");
      return cond?.status === "False" ? cond : undefined;
    });
    expect(c.reason).toBe("PodRuntimeUnavailable");
  });
});
