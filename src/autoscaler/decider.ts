// The KPA decider as a pure function: Knative's scaling rules from the observed metric, the ready
// instances and what the decider remembered from earlier ticks.

import type { AutoscalerSpec } from "./spec.ts";

export interface DeciderInput {
  now: number;
  /** Average of the metric (concurrency or rps) over the stable and the panic window. */
  stableValue: number;
  panicValue: number;
  readyInstances: number;
  /** When the revision last received a request (undefined: never). */
  lastRequestAt?: number;
}

export interface DeciderState {
  panicSince?: number;
  maxPanicDesired: number;
  /** Recent decisions, kept for scale-down-delay. */
  recent: { at: number; desired: number }[];
}

export interface Decision {
  desiredScale: number;
  /** < 0: the activator must stay in the request path (Knative's excess burst capacity). */
  excessBurstCapacity: number;
  panicking: boolean;
  state: DeciderState;
}

export const INITIAL_DECIDER_STATE: DeciderState = { maxPanicDesired: 0, recent: [] };

export function decide(spec: AutoscalerSpec, input: DeciderInput, state: DeciderState): Decision {
  const ready = Math.max(1, input.readyInstances);
  const maxUp = Math.ceil(spec.maxScaleUpRate * ready);
  const maxDown = Math.floor(ready / spec.maxScaleDownRate);
  const clampRate = (n: number) => Math.min(maxUp, Math.max(maxDown, n));
  const rawStable = Math.ceil(input.stableValue / spec.target);
  const rawPanic = Math.ceil(input.panicValue / spec.target);
  const stableDesired = input.stableValue > 0 ? clampRate(rawStable) : 0;
  const panicDesired = input.panicValue > 0 ? clampRate(rawPanic) : 0;

  // Panic: demand in the short window at or above the threshold of what the ready instances can take.
  const overThreshold = input.panicValue / spec.target / ready >= spec.panicThreshold;
  let panicSince = state.panicSince;
  if (overThreshold && panicSince === undefined) panicSince = input.now;
  if (!overThreshold && panicSince !== undefined && input.now - panicSince >= spec.stableWindowMs) panicSince = undefined;
  const panicking = panicSince !== undefined;

  let desired: number;
  let maxPanicDesired = 0;
  if (panicking) {
    // Never scale down while panicking.
    desired = Math.max(panicDesired, state.maxPanicDesired, input.readyInstances);
    maxPanicDesired = desired;
  } else {
    desired = stableDesired;
  }

  // Scale-down delay: the highest decision within the delay window wins.
  const recent = spec.scaleDownDelayMs > 0
    ? [...state.recent.filter((r) => input.now - r.at < spec.scaleDownDelayMs), { at: input.now, desired }]
    : [];
  if (recent.length) desired = Math.max(...recent.map((r) => r.desired));

  // Scale to zero: only with no traffic for the stable window plus the grace period (and the retention period).
  if (desired === 0) {
    const idleFor = input.lastRequestAt === undefined ? Infinity : input.now - input.lastRequestAt;
    const mayReachZero = spec.enableScaleToZero && idleFor >= spec.stableWindowMs + spec.scaleToZeroGraceMs && idleFor >= spec.retentionMs;
    // Not yet: keep the last instance, but never start one that no traffic asked for (initial scale 0).
    // A request waiting in the activator is traffic asking for one, also while none is ready yet (a pod
    // still starting): Knative's activator reports the requests it holds as the revision's concurrency.
    if (!mayReachZero) desired = input.readyInstances > 0 || input.panicValue > 0 ? 1 : 0;
  }
  if (desired > 0 && input.readyInstances === 0) desired = Math.max(desired, spec.activationScale);
  desired = Math.max(desired, spec.minScale);
  if (!spec.enableScaleToZero) desired = Math.max(desired, 1);
  if (spec.maxScale > 0) desired = Math.min(desired, spec.maxScale);

  const excessBurstCapacity = spec.targetBurstCapacity === -1
    ? -1
    : spec.targetBurstCapacity === 0
      ? 0
      : Math.floor(input.readyInstances * spec.totalValue - spec.targetBurstCapacity - input.panicValue);

  return { desiredScale: desired, excessBurstCapacity, panicking, state: { panicSince, maxPanicDesired, recent } };
}
