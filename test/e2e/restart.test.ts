// After workerd is killed (SIGKILL, with requests queued in an activator) and started again on the same
// state, nothing is stuck: the next request to every revision is served and min-scale comes back.

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { killWorkerd, startKnit, type KnitHandle } from "./helpers/platform.ts";
import { burst, waitFor } from "./helpers/load.ts";
import { sample } from "./helpers/metrics.ts";

const dir = mkdtempSync(join(tmpdir(), "knit-restart-"));
let knit: KnitHandle | undefined;

afterAll(async () => {
  await knit?.stop();
});

function services(): string {
  writeFileSync(join(dir, "app.js"), `export default { async fetch(req, env) {
  await new Promise((r) => setTimeout(r, Number(env.DELAY_MS ?? 0)));
  return new Response("served by " + env.K_REVISION);
} };`);
  const svc = (name: string, annotations: string, spec = "", delayMs = 0) => `apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: ${name}
spec:
  template:
    metadata:
      annotations:
        ${annotations}
    spec:
${spec}      containers:
        - image: worker://./app.js
          env:
            - name: DELAY_MS
              value: "${delayMs}"
`;
  return [
    svc("kept", `autoscaling.knative.dev/min-scale: "1"`),
    svc("lazy", `knit.dev/none: ""`),
    svc("single", `autoscaling.knative.dev/max-scale: "1"`, "      containerConcurrency: 1\n", 400),
  ].join("---\n");
}

function kpa(k: KnitHandle, name: string): { desired?: number; actual?: number } {
  const r = k.kubectl(["get", "kpa", `${name}-00001`, "-o", "json"]);
  const s = r.code === 0 ? JSON.parse(r.stdout).status ?? {} : {};
  return { desired: s.desiredScale, actual: s.actualScale };
}

describe("restart", () => {
  it("serves the next request to every revision after workerd is killed mid-queue, and min-scale comes back", async () => {
    const first = await startKnit();
    knit = first;
    writeFileSync(join(dir, "svc.yaml"), services());
    const applied = first.knit(["apply", "-f", join(dir, "svc.yaml")]);
    expect(applied.stderr).toBe("");
    for (const name of ["kept", "lazy", "single"]) {
      const host = `${name}.default.example.com`;
      await waitFor(`${name} serves`, async () => ((await first.get(host)).status === 200 ? true : undefined), 20_000);
    }
    await waitFor("kept at min-scale 1", () => kpa(first, "kept").actual === 1 || undefined, 10_000);

    // Requests queued behind one slow request on a containerConcurrency 1 revision, then SIGKILL.
    const queued = burst(first.port, "single.default.example.com", 6, 6);
    await new Promise((r) => setTimeout(r, 300));
    // knit restarts workerd on the same state and ports, as a kubelet restarts a container.
    await killWorkerd(first);
    await queued.catch(() => []);
    const second = first;
    for (const name of ["kept", "lazy", "single"]) {
      const res = await second.get(`${name}.default.example.com`);
      expect({ name, status: res.status }).toEqual({ name, status: 200 });
    }
    // kept had its instance back before the request came (no request waited for a cold start); lazy did not.
    const metrics = (await second.apiRequest("/metrics", { authorization: `Bearer ${second.token}` })).body;
    expect(sample(metrics, "knit_revision_cold_start_latencies_count", { revision_name: "kept-00001" })).toBe(0);
    expect(sample(metrics, "knit_revision_cold_start_latencies_count", { revision_name: "lazy-00001" })).toBe(1);
    expect(sample(metrics, "knit_revision_actual_scale", { revision_name: "kept-00001" })).toBe(1);
    await waitFor("kept back at min-scale 1", () => {
      const s = kpa(second, "kept");
      return s.actual === 1 && s.desired === 1 ? true : undefined;
    }, 10_000);
    const again = await burst(second.port, "single.default.example.com", 6, 6);
    expect(again.map((h) => h.status)).toEqual([200, 200, 200, 200, 200, 200]);
  }, 120_000);
});
