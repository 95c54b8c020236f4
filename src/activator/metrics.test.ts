import { describe, expect, it } from "vitest";
import { RevisionMetrics } from "./metrics.ts";

describe("RevisionMetrics", () => {
  it.each([
    // [what, events (ms offset, +1 start / -1 finish), window end, window ms, concurrency, rps]
    ["one request held for a whole second", [[0, 1], [1000, -1]], 1000, 1000, 1, 1],
    ["two overlapping requests over two seconds", [[0, 1], [0, 1], [1000, -1], [2000, -1]], 2000, 2000, 1.5, 1],
    ["idle time before traffic does not dilute the average", [[5000, 1], [6000, -1]], 6000, 60000, 1, 1],
    ["a request still in flight counts up to now", [[0, 1]], 2000, 2000, 1, 0.5],
  ] as const)("%s", (_what, events, end, windowMs, concurrency, rps) => {
    const m = new RevisionMetrics(0);
    for (const [at, kind] of events) (kind === 1 ? m.started(at) : m.finished(at));
    const w = m.window(end, windowMs);
    expect(w.concurrency).toBeCloseTo(concurrency, 5);
    expect(w.rps).toBeCloseTo(rps, 5);
  });

  it("merges a router's report of bypassed requests", () => {
    const m = new RevisionMetrics(0);
    m.merge(1000, 4, 20);
    expect(m.lastRequestAt).toBe(1000);
    const w = m.window(1000, 1000);
    expect(w.concurrency).toBeCloseTo(4, 5);
    expect(w.rps).toBeCloseTo(20, 5);
  });
});
