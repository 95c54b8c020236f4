// Activator and autoscaler end to end: scale from zero under a burst, containerConcurrency as a hard
// limit (each instance's own record), min/max scale, queue overflow and queue timeouts.

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent, request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKnit, type KnitHandle } from "./helpers/platform.ts";
import { waitFor } from "./helpers/load.ts";
import { sample } from "./helpers/metrics.ts";

let knit: KnitHandle;
const dir = mkdtempSync(join(tmpdir(), "knit-scale-"));

// Each instance is its own isolate: module state is that instance's record of its in-flight requests.
const counting = (delayMs: number) => `let inFlight = 0; let peak = 0;
export default { async fetch() {
  inFlight++; if (inFlight > peak) peak = inFlight;
  try { await new Promise((r) => setTimeout(r, ${delayMs})); return new Response("ok", { headers: { "x-peak": String(peak) } }); }
  finally { inFlight--; }
} };`;

function service(name: string, module: string, annotations: Record<string, string>, spec = ""): string {
  writeFileSync(join(dir, `${name}.js`), module);
  const ann = Object.entries(annotations).map(([k, v]) => `        ${k.includes("/") ? k : `autoscaling.knative.dev/${k}`}: "${v}"`).join("\n");
  return `apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: ${name}
spec:
  template:
    metadata:
      annotations:
${ann || "        knit.dev/none: \"\""}
    spec:
${spec}      containers:
        - image: worker://./${name}.js
`;
}

function apply(name: string, yaml: string): void {
  writeFileSync(join(dir, `${name}.yaml`), yaml);
  const r = knit.knit(["apply", "-f", join(dir, `${name}.yaml`)]);
  expect(r.stderr).toBe("");
}

function kpa(name: string): { desired?: number; actual?: number } {
  const r = knit.kubectl(["get", "kpa", `${name}-00001`, "-o", "json"]);
  const s = r.code === 0 ? JSON.parse(r.stdout).status ?? {} : {};
  return { desired: s.desiredScale, actual: s.actualScale };
}

interface Answer { status: number; peak?: number; retryAfter?: string }

function burst(host: string, count: number): Promise<Answer[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: count });
  return Promise.all(Array.from({ length: count }, () => new Promise<Answer>((done) => {
    const req = request({ host: "127.0.0.1", port: knit.port, path: "/", agent, headers: { host } }, (res) => {
      res.resume();
      res.on("end", () => done({ status: res.statusCode ?? 0, peak: Number(res.headers["x-peak"] ?? NaN), retryAfter: res.headers["retry-after"] as string | undefined }));
    });
    req.on("error", () => done({ status: 0 }));
    req.end();
  }))).finally(() => agent.destroy());
}

beforeAll(async () => {
  knit = await startKnit();
  // Short windows so scale-to-zero happens within the test: 6 s stable window (Knative's minimum), 1 s grace.
  const r = knit.kubectl(["apply", "-f", "-"], `apiVersion: v1
kind: ConfigMap
metadata:
  name: config-autoscaler
  namespace: knative-serving
data:
  stable-window: "6s"
  scale-to-zero-grace-period: "1s"
`);
  expect(r.code).toBe(0);
}, 120_000);
afterAll(async () => {
  await knit?.stop();
});

describe("autoscaling", () => {
  it("500 concurrent requests to a zero-scaled revision with containerConcurrency 10: all succeed, no instance over 10, scale up, back to 0", async () => {
    apply("burst", service("burst", counting(100), {}, "      containerConcurrency: 10\n"));
    await waitFor("burst scaled to zero", () => kpa("burst").actual === 0 || undefined, 30_000);
    const seen: number[] = [];
    const sampler = setInterval(() => {
      const d = kpa("burst").desired;
      if (d !== undefined) seen.push(d);
    }, 300);
    const answers = await burst("burst.default.example.com", 500);
    clearInterval(sampler);
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    expect(Math.max(...answers.map((a) => a.peak!))).toBeLessThanOrEqual(10);
    seen.push(kpa("burst").desired ?? 0);
    // 500 in flight over a target of 7 per instance (10 × 70 %): the KPA asks for many instances.
    expect(Math.max(...seen)).toBeGreaterThanOrEqual(5);
    // /metrics saw the same: 500 answers through the activator, one cold start with its latency.
    const metrics = (await knit.apiRequest("/metrics", { authorization: `Bearer ${knit.token}` })).body;
    const rev = { revision_name: "burst-00001", service_name: "burst", namespace_name: "default" };
    expect(sample(metrics, "knit_revision_request_count", { ...rev, response_code_class: "2xx", path: "activator" })).toBe(500);
    expect(sample(metrics, "knit_revision_request_latencies_count", rev)).toBe(500);
    expect(sample(metrics, "knit_revision_cold_starts_total", rev)).toBeGreaterThanOrEqual(1);
    expect(sample(metrics, "knit_revision_cold_start_latencies_count", rev)).toBe(1);
    expect(sample(metrics, "knit_revision_activator_in_path", rev)).toBe(1);
    expect(sample(metrics, "knit_revision_queue_depth", rev)).toBe(0);
    expect(sample(metrics, "knit_revision_actual_scale", rev)).toBeGreaterThanOrEqual(1);
    await waitFor("burst back to zero", () => kpa("burst").actual === 0 || undefined, 30_000);
  }, 90_000);

  it("/metrics needs the bearer token and answers Prometheus text", async () => {
    expect((await knit.apiRequest("/metrics")).status).toBe(401);
    const res = await knit.apiRequest("/metrics", { authorization: `Bearer ${knit.token}` });
    expect(res.status).toBe(200);
    expect(res.body).toContain("# TYPE knit_revision_request_latencies histogram");
    expect(sample(res.body, "knit_revision_desired_scale", { revision_name: "burst-00001" })).toBeTypeOf("number");
  });

  it("min-scale keeps instances warm after traffic stops", async () => {
    apply("warm", service("warm", counting(1), { "min-scale": "2" }));
    await waitFor("warm at 2", () => kpa("warm").actual === 2 || undefined, 10_000);
    expect((await burst("warm.default.example.com", 5)).every((a) => a.status === 200)).toBe(true);
    await new Promise((r) => setTimeout(r, 9000));
    expect(kpa("warm")).toEqual({ desired: 2, actual: 2 });
  }, 30_000);

  it("max-scale caps the instances and the queue absorbs the rest", async () => {
    apply("capped", service("capped", counting(50), { "max-scale": "1" }, "      containerConcurrency: 2\n"));
    const answers = await burst("capped.default.example.com", 40);
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(Math.max(...answers.map((a) => a.peak!))).toBeLessThanOrEqual(2);
    expect(kpa("capped").desired).toBeLessThanOrEqual(1);
  }, 30_000);

  it("a full queue answers 503 with Retry-After; a request queued past its timeout answers 504", async () => {
    apply("tight", service("tight", counting(300), { "max-scale": "1", "knit.dev/queue-depth": "2" }, "      containerConcurrency: 1\n"));
    await waitFor("tight ready", () => kpa("tight").actual !== undefined || undefined, 10_000);
    const overflow = await burst("tight.default.example.com", 8);
    expect(overflow.filter((a) => a.status === 200).length).toBeGreaterThanOrEqual(1);
    const refused = overflow.filter((a) => a.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((a) => a.retryAfter === "1")).toBe(true);

    apply("slowq", service("slowq", counting(700), { "max-scale": "1" }, "      containerConcurrency: 1\n      timeoutSeconds: 1\n"));
    await waitFor("slowq ready", () => kpa("slowq").actual !== undefined || undefined, 10_000);
    const queued = await burst("slowq.default.example.com", 4);
    expect(queued.some((a) => a.status === 200)).toBe(true);
    expect(queued.some((a) => a.status === 504)).toBe(true);
  }, 30_000);
});
