// Knative's delivery spec: retries (1 + retry attempts), linear or exponential backoff from
// backoffDelay (ISO 8601), and a per-attempt timeout.

import type { DeliverySpec } from "../api/types.ts";

export interface FieldProblem {
  field: string;
  message: string;
}

/** Knative's default when backoffDelay is not set. */
const DEFAULT_BACKOFF_MS = 200;

const ISO = /^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Milliseconds of an ISO 8601 duration such as PT0.5S or P1DT2H; undefined when malformed. */
export function parseIsoDuration(s: string): number | undefined {
  const m = ISO.exec(s);
  if (!m || s === "P" || s.endsWith("T")) return undefined;
  const [y, mo, w, d, h, mi, sec] = m.slice(1).map((v) => (v === undefined ? 0 : Number(v)));
  const days = y * 365 + mo * 30 + w * 7 + d;
  return Math.round(((days * 24 + h) * 60 + mi) * 60_000 + sec * 1000);
}

export function maxAttempts(delivery: DeliverySpec | undefined): number {
  return 1 + Math.max(0, delivery?.retry ?? 0);
}

/** Wait before retry number `retry` (1 for the first retry). */
export function retryDelayMs(delivery: DeliverySpec | undefined, retry: number): number {
  const base = delivery?.backoffDelay ? parseIsoDuration(delivery.backoffDelay) ?? DEFAULT_BACKOFF_MS : DEFAULT_BACKOFF_MS;
  return delivery?.backoffPolicy === "linear" ? base * retry : base * 2 ** retry;
}

export function validateDelivery(delivery: DeliverySpec | undefined, path = "spec.delivery"): FieldProblem[] {
  if (!delivery) return [];
  const errors: FieldProblem[] = [];
  if (delivery.retry !== undefined && (!Number.isInteger(delivery.retry) || delivery.retry < 0)) errors.push({ field: `${path}.retry`, message: "must be a whole number >= 0" });
  if (delivery.backoffPolicy !== undefined && delivery.backoffPolicy !== "linear" && delivery.backoffPolicy !== "exponential") {
    errors.push({ field: `${path}.backoffPolicy`, message: `must be linear or exponential, not "${String(delivery.backoffPolicy)}"` });
  }
  for (const key of ["backoffDelay", "timeout"] as const) {
    const v = delivery[key];
    if (v !== undefined && parseIsoDuration(v) === undefined) errors.push({ field: `${path}.${key}`, message: `"${v}" is not an ISO 8601 duration (such as PT0.5S)` });
  }
  return errors;
}
