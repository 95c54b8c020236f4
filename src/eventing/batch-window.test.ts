import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BATCH_WINDOW_MS, BUSY_BATCH, Batcher } from "./batch-window.ts";

describe("Batcher", () => {
  beforeEach(() => void vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => void vi.useRealTimers());

  it("runs once for everything scheduled before it runs", () => {
    const run = vi.fn();
    const b = new Batcher(run);
    b.schedule();
    b.schedule();
    b.schedule();
    expect(run).not.toHaveBeenCalled();
    vi.advanceTimersByTime(0);
    expect(run).toHaveBeenCalledTimes(1);
  });

  it("waits for nothing when it has not run within the window", () => {
    const run = vi.fn();
    const b = new Batcher(run);
    b.schedule();
    vi.advanceTimersByTime(0);
    vi.advanceTimersByTime(BATCH_WINDOW_MS + 5);
    b.schedule();
    vi.advanceTimersByTime(0);
    expect(run).toHaveBeenCalledTimes(2);
  });

  it("runs at most once per window while work keeps coming", () => {
    const runs: number[] = [];
    const b = new Batcher(() => runs.push(Date.now()));
    // Work every half millisecond for 20 ms.
    for (let t = 0; t < 20; t += 0.5) {
      b.schedule();
      vi.advanceTimersByTime(0.5);
    }
    vi.advanceTimersByTime(BATCH_WINDOW_MS);
    expect(runs.length).toBeGreaterThanOrEqual(20 / BATCH_WINDOW_MS - 1);
    expect(runs.length).toBeLessThanOrEqual(20 / BATCH_WINDOW_MS + 1);
    for (let i = 1; i < runs.length; i++) expect(runs[i] - runs[i - 1]).toBeGreaterThanOrEqual(BATCH_WINDOW_MS);
  });

  it("does not wait after a big batch: the thread is gathering work by itself", () => {
    const runs: number[] = [];
    const b = new Batcher(() => runs.push(Date.now()));
    b.schedule();
    vi.advanceTimersByTime(0);
    for (let i = 0; i < BUSY_BATCH; i++) b.schedule();
    vi.advanceTimersByTime(BATCH_WINDOW_MS);
    expect(runs).toHaveLength(2);
    b.schedule();
    vi.advanceTimersByTime(0);
    expect(runs).toHaveLength(3);
  });
});
