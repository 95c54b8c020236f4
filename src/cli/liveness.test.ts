import { describe, expect, it } from "vitest";
import { livenessOptions, watchLiveness } from "./liveness.ts";

function run(answers: boolean[], threshold: number): Promise<{ dead: number | undefined; probes: number }> {
  return new Promise((done) => {
    let probes = 0;
    let dead: number | undefined;
    const stop = watchLiveness(async () => answers[probes++] ?? true, (failures) => (dead = failures), { periodMs: 1, timeoutMs: 1, failureThreshold: threshold });
    setTimeout(() => {
      stop();
      done({ dead, probes });
    }, 150);
  });
}

describe("watchLiveness", () => {
  const cases: { name: string; answers: boolean[]; threshold: number; dead: number | undefined; probesAtMost?: number }[] = [
    { name: "always healthy: never dead", answers: [], threshold: 3, dead: undefined },
    { name: "failures below the threshold, then healthy: not dead", answers: [false, false, true, false, false, true], threshold: 3, dead: undefined },
    { name: "threshold failures in a row: dead once, probing stops", answers: [true, false, false, false, false, false], threshold: 3, dead: 3, probesAtMost: 4 },
    { name: "threshold 1: the first failure", answers: [false], threshold: 1, dead: 1, probesAtMost: 1 },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const r = await run(c.answers, c.threshold);
      expect(r.dead).toBe(c.dead);
      if (c.probesAtMost !== undefined) expect(r.probes).toBeLessThanOrEqual(c.probesAtMost);
    });
  }
});

describe("livenessOptions", () => {
  it("defaults to Kubernetes' probe defaults but a 5 s period and timeout", () => {
    expect(livenessOptions({})).toEqual({ periodMs: 5000, timeoutMs: 5000, failureThreshold: 3 });
  });
  it("reads the environment, ignoring nonsense", () => {
    expect(livenessOptions({ KNIT_LIVENESS_PERIOD_SECONDS: "0.5", KNIT_LIVENESS_TIMEOUT_SECONDS: "2", KNIT_LIVENESS_FAILURE_THRESHOLD: "2" })).toEqual({ periodMs: 500, timeoutMs: 2000, failureThreshold: 2 });
    expect(livenessOptions({ KNIT_LIVENESS_PERIOD_SECONDS: "-1", KNIT_LIVENESS_FAILURE_THRESHOLD: "x" })).toEqual({ periodMs: 5000, timeoutMs: 5000, failureThreshold: 3 });
  });
});
