// Knative's "living" condition sets as pure functions: dependent conditions plus a Ready condition
// derived from them. lastTransitionTime only moves when a condition's status changes, so reconciling
// an unchanged world produces an identical status (and the store writes nothing).

import type { Condition, KObject, Status } from "../types.ts";

export type ConditionStatus = Condition["status"];

/** A condition as a reconciler marks it, before time stamping. */
export interface Mark {
  status: ConditionStatus;
  reason?: string;
  message?: string;
}

export const markTrue = (reason?: string, message?: string): Mark => ({ status: "True", reason, message });
export const markFalse = (reason: string, message: string): Mark => ({ status: "False", reason, message });
export const markUnknown = (reason?: string, message?: string): Mark => ({ status: "Unknown", reason, message });

/** Sets one condition, keeping lastTransitionTime when the status is unchanged. Conditions stay sorted by type. */
export function setCondition(conditions: Condition[] | undefined, type: string, mark: Mark, now: string): Condition[] {
  const previous = conditions?.find((c) => c.type === type);
  const next: Condition = { type, status: mark.status };
  if (mark.reason) next.reason = mark.reason;
  if (mark.message) next.message = mark.message;
  next.lastTransitionTime = previous && previous.status === mark.status && previous.lastTransitionTime ? previous.lastTransitionTime : now;
  const others = (conditions ?? []).filter((c) => c.type !== type);
  return [...others, next].sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
}

/**
 * Ready from its dependents, in order: the first False wins (False trumps Unknown), else the first
 * Unknown, else True. This is where Knative's stateful condition manager ends up for the same marks.
 */
export function readyFrom(dependents: Mark[]): Mark {
  const failed = dependents.find((m) => m.status === "False");
  if (failed) return markFalse(failed.reason ?? "", failed.message ?? "");
  const unknown = dependents.find((m) => m.status === "Unknown");
  if (unknown) return markUnknown(unknown.reason, unknown.message);
  return markTrue();
}

/** The full condition list for a living condition set: each dependent plus Ready. */
export function livingConditions(previous: Condition[] | undefined, marks: Record<string, Mark>, dependents: readonly string[], now: string): Condition[] {
  let conditions = (previous ?? []).filter((c) => c.type in marks || c.type === "Ready");
  for (const [type, mark] of Object.entries(marks)) conditions = setCondition(conditions, type, mark, now);
  const ready = readyFrom(dependents.map((t) => marks[t] ?? markUnknown()));
  return setCondition(conditions, "Ready", ready, now);
}

export function getCondition(obj: KObject | undefined, type: string): Condition | undefined {
  return (obj?.status as Status | undefined)?.conditions?.find((c) => c.type === type);
}

export function generationOf(obj: KObject): number {
  return obj.metadata.generation ?? 1;
}

/** Whether the object's status describes its current spec (Knative's observedGeneration check). */
export function hasObservedGeneration(obj: KObject): boolean {
  return (obj.status as Status | undefined)?.observedGeneration === generationOf(obj);
}

/** Knative's IsReady: Ready=True for the current generation. */
export function isReady(obj: KObject | undefined): boolean {
  return !!obj && hasObservedGeneration(obj) && getCondition(obj, "Ready")?.status === "True";
}

/** Knative's IsFailed: Ready=False for the current generation. */
export function isFailed(obj: KObject | undefined): boolean {
  return !!obj && hasObservedGeneration(obj) && getCondition(obj, "Ready")?.status === "False";
}
