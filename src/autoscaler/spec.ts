// The KPA's inputs from config-autoscaler (namespace knative-serving) and a revision's
// autoscaling.knative.dev/* annotations, with Knative's keys and defaults.

import { parseGoDuration } from "../api/validation/duration.ts";

export interface AutoscalerSpec {
  metric: "concurrency" | "rps";
  /** Per-instance target after utilization (concurrency or requests/s). */
  target: number;
  /** Per-instance total capacity, for excess burst capacity: containerConcurrency, or the default target. */
  totalValue: number;
  targetBurstCapacity: number;
  stableWindowMs: number;
  panicWindowMs: number;
  /** Ratio: 2 means panic when demand reaches 200 % of what ready instances can take. */
  panicThreshold: number;
  maxScaleUpRate: number;
  maxScaleDownRate: number;
  minScale: number;
  /** 0 = unlimited. */
  maxScale: number;
  initialScale: number;
  activationScale: number;
  enableScaleToZero: boolean;
  scaleToZeroGraceMs: number;
  retentionMs: number;
  scaleDownDelayMs: number;
  containerConcurrency: number;
  /** Requests the activator may hold waiting for capacity (Knit's key; overflow answers 503). */
  queueDepth: number;
}

const A = "autoscaling.knative.dev/";

function pick(annotations: Record<string, string>, data: Record<string, string>, annotation: string, key: string): string | undefined {
  return annotations[A + annotation] ?? data[key];
}

function num(v: string | undefined, fallback: number): number {
  const n = v === undefined ? NaN : Number(v);
  return Number.isFinite(n) ? n : fallback;
}

function ms(v: string | undefined, fallback: number): number {
  return (v === undefined ? undefined : parseGoDuration(v)) ?? fallback;
}

export function parseAutoscalerSpec(data: Record<string, string>, annotations: Record<string, string>, containerConcurrency: number): AutoscalerSpec {
  const metric = annotations[A + "metric"] === "rps" ? "rps" : "concurrency";
  const utilization = num(pick(annotations, data, "target-utilization-percentage", "container-concurrency-target-percentage"), 70) / 100;
  const defaultTarget = metric === "rps"
    ? num(data["requests-per-second-target-default"], 200)
    : num(data["container-concurrency-target-default"], 100);
  const explicit = annotations[A + "target"];
  const total = explicit !== undefined ? num(explicit, defaultTarget) : containerConcurrency > 0 && metric === "concurrency" ? containerConcurrency : defaultTarget;
  const stableWindowMs = ms(pick(annotations, data, "window", "stable-window"), 60_000);
  const allowZeroInitial = data["allow-zero-initial-scale"] === "true";
  const initial = num(pick(annotations, data, "initial-scale", "initial-scale"), 1);
  return {
    metric,
    target: Math.max(0.01, total * utilization),
    totalValue: total,
    targetBurstCapacity: num(pick(annotations, data, "target-burst-capacity", "target-burst-capacity"), 211),
    stableWindowMs,
    panicWindowMs: Math.max(1000, (stableWindowMs * num(pick(annotations, data, "panic-window-percentage", "panic-window-percentage"), 10)) / 100),
    panicThreshold: num(pick(annotations, data, "panic-threshold-percentage", "panic-threshold-percentage"), 200) / 100,
    maxScaleUpRate: num(data["max-scale-up-rate"], 1000),
    maxScaleDownRate: num(data["max-scale-down-rate"], 2),
    minScale: num(annotations[A + "min-scale"] ?? annotations[A + "minScale"], 0),
    maxScale: num(annotations[A + "max-scale"] ?? annotations[A + "maxScale"] ?? data["max-scale"], 0),
    initialScale: initial === 0 && !allowZeroInitial ? 1 : initial,
    activationScale: Math.max(1, num(annotations[A + "activation-scale"], 1)),
    enableScaleToZero: data["enable-scale-to-zero"] !== "false",
    scaleToZeroGraceMs: ms(data["scale-to-zero-grace-period"], 30_000),
    retentionMs: ms(pick(annotations, data, "scale-to-zero-pod-retention-period", "scale-to-zero-pod-retention-period"), 0),
    scaleDownDelayMs: ms(pick(annotations, data, "scale-down-delay", "scale-down-delay"), 0),
    containerConcurrency,
    queueDepth: num(annotations["knit.dev/queue-depth"] ?? data["knit-activator-queue-depth"], 10_000),
  };
}
