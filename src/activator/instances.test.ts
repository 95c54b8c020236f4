import { describe, expect, it } from "vitest";
import { InstancePool } from "./instances.ts";

describe("InstancePool", () => {
  it("picks the least-loaded instance and never goes over containerConcurrency", () => {
    const pool = new InstancePool("ns/rev@sha", 1);
    pool.scaleTo(2);
    const taken = [pool.acquire(2), pool.acquire(2), pool.acquire(2), pool.acquire(2)];
    expect(taken.every((i) => i !== undefined)).toBe(true);
    expect(pool.all.map((i) => i.inFlight)).toEqual([2, 2]);
    expect(pool.acquire(2)).toBeUndefined();
    pool.release(taken[0]!);
    expect(pool.acquire(2)).toBe(taken[0]);
    expect(Math.max(...pool.all.map((i) => i.peak))).toBe(2);
  });

  it("has no limit when containerConcurrency is 0", () => {
    const pool = new InstancePool("r", 1);
    pool.scaleTo(1);
    for (let i = 0; i < 1000; i++) expect(pool.acquire(0)).toBeDefined();
    expect(pool.inFlight).toBe(1000);
  });

  it("answers the instances it adds, and drops idle ones first when shrinking", () => {
    const pool = new InstancePool("r", 1);
    expect(pool.scaleTo(3).map((i) => i.id)).toEqual(["r#1.0", "r#1.1", "r#1.2"]);
    const busy = pool.acquire(1)!;
    expect(pool.scaleTo(1)).toEqual([]);
    expect(pool.all).toEqual([busy]);
  });

  it("keeps an instance that is still serving, even at scale 0, until it finishes", () => {
    const pool = new InstancePool("r", 1);
    pool.scaleTo(1);
    const busy = pool.acquire(0)!;
    pool.scaleTo(0);
    expect(pool.size).toBe(1);
    pool.release(busy);
    pool.scaleTo(0);
    expect(pool.size).toBe(0);
  });

  it("starts a new epoch after scale to zero, so the next instance is a fresh isolate", () => {
    const pool = new InstancePool("r", 7);
    const first = pool.scaleTo(1)[0].id;
    pool.scaleTo(0);
    const next = pool.scaleTo(1)[0].id;
    expect(first).toBe("r#7.0");
    expect(next).toBe("r#8.0");
  });
});
