// The KPA decider against hand-computed cases, one table per rule.
import { describe, expect, it } from "vitest";
import { decide, INITIAL_DECIDER_STATE, type DeciderInput, type DeciderState } from "./decider.ts";
import { parseAutoscalerSpec, type AutoscalerSpec } from "./spec.ts";

const base = parseAutoscalerSpec({}, {}, 0);
const spec = (over: Partial<AutoscalerSpec> = {}): AutoscalerSpec => ({ ...base, ...over });
const T0 = 1_000_000;
const input = (over: Partial<DeciderInput>): DeciderInput => ({ now: T0, stableValue: 0, panicValue: 0, readyInstances: 1, lastRequestAt: T0, ...over });

describe("spec from config-autoscaler and annotations", () => {
  it.each([
    ["defaults: target 100 × 70 %", {}, {}, 0, { target: 70, totalValue: 100, targetBurstCapacity: 211, stableWindowMs: 60_000, panicWindowMs: 6000, panicThreshold: 2, maxScaleUpRate: 1000, maxScaleDownRate: 2, scaleToZeroGraceMs: 30_000, initialScale: 1 }],
    ["containerConcurrency 10 → target 7", {}, {}, 10, { target: 7, totalValue: 10 }],
    ["target annotation wins", {}, { "autoscaling.knative.dev/target": "50" }, 10, { target: 35, totalValue: 50 }],
    ["utilization annotation", {}, { "autoscaling.knative.dev/target-utilization-percentage": "100" }, 10, { target: 10 }],
    ["rps metric uses its own default", {}, { "autoscaling.knative.dev/metric": "rps" }, 0, { metric: "rps", target: 140 }],
    ["config-autoscaler windows", { "stable-window": "6s", "panic-window-percentage": "50", "scale-to-zero-grace-period": "1s" }, {}, 0, { stableWindowMs: 6000, panicWindowMs: 3000, scaleToZeroGraceMs: 1000 }],
    ["window annotation overrides", { "stable-window": "6s" }, { "autoscaling.knative.dev/window": "2m" }, 0, { stableWindowMs: 120_000 }],
    ["initial-scale 0 needs allow-zero-initial-scale", {}, { "autoscaling.knative.dev/initial-scale": "0" }, 0, { initialScale: 1 }],
    ["allowed zero initial scale", { "allow-zero-initial-scale": "true" }, { "autoscaling.knative.dev/initial-scale": "0" }, 0, { initialScale: 0 }],
    ["min and max scale", {}, { "autoscaling.knative.dev/min-scale": "2", "autoscaling.knative.dev/max-scale": "5" }, 0, { minScale: 2, maxScale: 5 }],
    ["enable-scale-to-zero false", { "enable-scale-to-zero": "false" }, {}, 0, { enableScaleToZero: false }],
  ])("%s", (_n, data, annotations, cc, want) => {
    expect(parseAutoscalerSpec(data as Record<string, string>, annotations as Record<string, string>, cc)).toMatchObject(want);
  });
});

describe("decide", () => {
  it.each<[string, Partial<AutoscalerSpec>, Partial<DeciderInput>, number]>([
    ["stable: ceil(observed / target)", {}, { stableValue: 150, panicValue: 150, readyInstances: 3 }, 3],
    ["scale down by half at most (max-scale-down-rate 2)", {}, { stableValue: 7, panicValue: 7, readyInstances: 10 }, 5],
    ["scale up bounded by max-scale-up-rate", { maxScaleUpRate: 2 }, { stableValue: 700, panicValue: 100, readyInstances: 2 }, 4],
    ["max-scale caps", { maxScale: 3 }, { stableValue: 700, panicValue: 700, readyInstances: 3 }, 3],
    ["min-scale floors", { minScale: 4 }, { stableValue: 7, panicValue: 7, readyInstances: 4 }, 4],
    ["activation-scale from zero", { activationScale: 3 }, { stableValue: 1, panicValue: 1, readyInstances: 0 }, 3],
    ["no traffic yet within stable window + grace: keep one", {}, { lastRequestAt: T0 - 60_000 }, 1],
    ["idle for stable window + grace: zero", {}, { lastRequestAt: T0 - 90_000 }, 0],
    ["at zero with no traffic within the windows (initial scale 0): stays at zero", {}, { lastRequestAt: T0 - 1000, readyInstances: 0 }, 0],
    ["a request waiting while no instance is ready yet (a pod starting): one", {}, { lastRequestAt: T0 - 400, panicValue: 1, readyInstances: 0 }, 1],
    ["a request waiting while no instance is ready yet, activation-scale 3: three", { activationScale: 3 }, { lastRequestAt: T0 - 400, panicValue: 1, readyInstances: 0 }, 3],
    ["retention period holds the last instance", { retentionMs: 120_000 }, { lastRequestAt: T0 - 90_000 }, 1],
    ["enable-scale-to-zero false keeps one", { enableScaleToZero: false }, { lastRequestAt: T0 - 1_000_000 }, 1],
    ["rps target", { metric: "rps", target: 140 }, { stableValue: 300, panicValue: 300, readyInstances: 3 }, 3],
  ])("%s", (_n, over, inp, want) => {
    expect(decide(spec(over), input(inp), INITIAL_DECIDER_STATE).desiredScale).toBe(want);
  });

  it("panics at 200 % of capacity and does not scale down while panicking", () => {
    const s = spec();
    // 1 ready instance, panic window sees 210 in flight: 210 / 70 / 1 = 3 ≥ 2 → panic, desired 3.
    const first = decide(s, input({ stableValue: 20, panicValue: 210, readyInstances: 1 }), INITIAL_DECIDER_STATE);
    expect(first).toMatchObject({ panicking: true, desiredScale: 3 });
    // Demand falls, but within a stable window of panic start the scale does not go down.
    const second = decide(s, input({ now: T0 + 10_000, stableValue: 20, panicValue: 20, readyInstances: 3 }), first.state);
    expect(second).toMatchObject({ panicking: true, desiredScale: 3 });
    // A stable window later, below threshold: panic ends and the stable decision applies (bounded by rate).
    const third = decide(s, input({ now: T0 + 61_000, stableValue: 20, panicValue: 20, readyInstances: 3 }), second.state);
    expect(third).toMatchObject({ panicking: false, desiredScale: 1 });
  });

  it("scale-down-delay keeps the highest decision within the delay", () => {
    const s = spec({ scaleDownDelayMs: 5000 });
    let state: DeciderState = INITIAL_DECIDER_STATE;
    state = decide(s, input({ stableValue: 350, panicValue: 100, readyInstances: 5 }), state).state;
    const soon = decide(s, input({ now: T0 + 2000, stableValue: 70, panicValue: 70, readyInstances: 5 }), state);
    expect(soon.desiredScale).toBe(5);
    const later = decide(s, input({ now: T0 + 6000, stableValue: 70, panicValue: 70, readyInstances: 5 }), soon.state);
    expect(later.desiredScale).toBe(2);
  });

  it.each([
    ["default 211: in path until capacity exceeds the burst", {}, 3, 50, 3 * 100 - 211 - 50],
    ["-1: always in path", { targetBurstCapacity: -1 }, 10, 0, -1],
    ["0: only from zero", { targetBurstCapacity: 0 }, 1, 500, 0],
  ])("excess burst capacity, %s", (_n, over, ready, panicValue, want) => {
    expect(decide(spec(over), input({ readyInstances: ready, panicValue, stableValue: panicValue }), INITIAL_DECIDER_STATE).excessBurstCapacity).toBe(want);
  });
});
