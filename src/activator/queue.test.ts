import { describe, expect, it, vi } from "vitest";
import { QueueFullError, QueueTimeoutError, WaitQueue } from "./queue.ts";

describe("WaitQueue", () => {
  it("hands values out first in, first out", async () => {
    const q = new WaitQueue<number>(() => 10);
    const order: number[] = [];
    const waits = [1, 2, 3].map((n) => q.wait(1000).then((v) => order.push(n * 10 + v)));
    let next = 0;
    q.drain(() => (next < 3 ? next++ : undefined));
    await Promise.all(waits);
    expect(order).toEqual([10, 21, 32]);
    expect(q.length).toBe(0);
  });

  it("refuses beyond its depth", async () => {
    const q = new WaitQueue<number>(() => 1);
    void q.wait(1000).catch(() => {});
    await expect(q.wait(1000)).rejects.toBeInstanceOf(QueueFullError);
  });

  it("times a waiter out and removes it", async () => {
    vi.useFakeTimers();
    try {
      const q = new WaitQueue<number>(() => 5);
      const waiting = q.wait(50);
      vi.advanceTimersByTime(60);
      await expect(waiting).rejects.toBeInstanceOf(QueueTimeoutError);
      expect(q.length).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it("drops a waiter whose client went away", async () => {
    const q = new WaitQueue<number>(() => 5);
    const abort = new AbortController();
    const waiting = q.wait(1000, abort.signal);
    abort.abort();
    await expect(waiting).rejects.toThrow("the client went away");
    expect(q.length).toBe(0);
  });

  it("stops draining when no value is available", () => {
    const q = new WaitQueue<number>(() => 5);
    void q.wait(1000);
    void q.wait(1000);
    let given = 0;
    q.drain(() => (given++ < 1 ? 1 : undefined));
    expect(q.length).toBe(1);
  });
});
