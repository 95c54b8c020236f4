import { describe, expect, it } from "vitest";
import { Histogram, LATENCY_BUCKETS_MS, RequestStats, codeClass } from "./stats.ts";

describe("Histogram", () => {
  it.each([
    [0.5, 0], [1, 0], [1.5, 1], [10, 3], [10000, LATENCY_BUCKETS_MS.length - 1], [10001, LATENCY_BUCKETS_MS.length],
  ])("puts %s ms in bucket %i (upper bounds inclusive)", (ms, bucket) => {
    const h = new Histogram();
    h.observe(ms);
    expect(h.counts.indexOf(1)).toBe(bucket);
    expect(h.sumMs).toBe(ms);
  });
});

describe("RequestStats", () => {
  it("counts by status class and hands out deltas that merge back", () => {
    const router = new RequestStats();
    router.record(200, 3);
    router.record(204, 4);
    router.record(503, 1);
    const delta = router.take();
    expect(delta.codes).toEqual({ "2xx": 2, "5xx": 1 });
    expect(router.take().codes).toEqual({});
    const activator = new RequestStats();
    activator.record(200, 2);
    activator.merge(delta);
    expect(activator.snapshot().codes).toEqual({ "2xx": 3, "5xx": 1 });
    expect(activator.latency.count).toBe(4);
    expect(activator.latency.sumMs).toBe(10);
  });

  it("names classes as Knative's response_code_class", () => {
    expect([200, 302, 404, 504].map(codeClass)).toEqual(["2xx", "3xx", "4xx", "5xx"]);
  });
});
