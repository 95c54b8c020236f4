// Noisy neighbours: a revision that throws, one that hangs past its timeout and one that burns CPU
// affect only their own requests while another Service keeps serving. Two are exceptions workerd
// imposes (docs/reliability.md): a revision that exhausts memory aborts the whole process at V8's heap
// limit, and one in an endless loop holds its thread (no CPU limit locally) until knit's liveness probe
// kills it; either way knit restarts workerd, the other Service is back within seconds, nothing is lost.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKnit, workerdPid, type KnitHandle } from "../e2e/helpers/platform.ts";
import { burst, steadyLoad, waitFor } from "../e2e/helpers/load.ts";
import { applyModule, ready, report } from "./lib.ts";

let knit: KnitHandle;

beforeAll(async () => {
  // A liveness probe every 2 s (three failures in a row, 2 s each): an endless loop is caught within about
  // 10 s, and the memory hog (about 3 s to reach V8's heap limit on an idle machine, more under load) is
  // not killed by the probe before it reaches the limit.
  knit = await startKnit({ env: { KNIT_LIVENESS_PERIOD_SECONDS: "2", KNIT_LIVENESS_TIMEOUT_SECONDS: "2", KNIT_LIVENESS_FAILURE_THRESHOLD: "3" } });
  applyModule(knit, "thrower", `export default { fetch() { throw new Error("boom"); } };`);
  applyModule(knit, "hanger", `export default { async fetch() { await new Promise((r) => setTimeout(r, 60_000)); return new Response("late"); } };`, "      timeoutSeconds: 1\n");
  // A promise that can never settle: workerd sees the hang at once and cancels the request.
  applyModule(knit, "deadlock", `export default { fetch() { return new Promise(() => {}); } };`);
  applyModule(knit, "spinner", `export default { fetch() { const t = Date.now(); while (Date.now() - t < 50) {} return new Response("spun"); } };`);
  applyModule(knit, "hog", `const kept = []; export default { fetch() { for (;;) kept.push(new Array(1e6).fill(kept.length)); } };`);
  applyModule(knit, "looper", `export default { fetch() { for (;;) {} } };`);
  for (const name of ["thrower", "hanger", "deadlock", "spinner", "hog", "looper"]) await ready(knit, "ksvc", name);
  await ready(knit, "ksvc", "hello");
}, 120_000);
afterAll(async () => {
  await knit?.stop();
});

describe("noisy neighbours", () => {
  it("throwing, hanging and CPU-burning revisions fail only their own requests", async () => {
    const steady = steadyLoad(knit.port, "hello.default.example.com", 4);
    const [thrown, hung, stuck, spun] = await Promise.all([
      burst(knit.port, "thrower.default.example.com", 100, 8),
      burst(knit.port, "hanger.default.example.com", 16, 8),
      burst(knit.port, "deadlock.default.example.com", 16, 4),
      burst(knit.port, "spinner.default.example.com", 40, 4),
    ]);
    const hits = await steady.stop();
    expect(thrown.every((h) => h.status >= 500 && h.status < 600)).toBe(true);
    expect(hung.map((h) => `${h.status} ${h.body.trim()}`)).toEqual(hung.map(() => expect.stringMatching(/^504 /)));
    expect(stuck.every((h) => h.status === 502 || h.status === 504)).toBe(true);
    expect(spun.every((h) => h.status === 200)).toBe(true);
    expect(hits.length).toBeGreaterThan(50);
    expect(hits.filter((h) => h.status !== 200)).toEqual([]);
    report("noisy neighbours", { throwerRequests: thrown.length, hangerRequests: hung.length, deadlockRequests: stuck.length, spinnerRequests: spun.length, otherServiceRequests: hits.length, otherServiceFailures: 0 });
  }, 60_000);

  it("a revision that exhausts memory takes workerd down; knit restarts it and nothing applied is lost", async () => {
    const before = JSON.parse(knit.kubectl(["get", "ksvc", "-o", "json"]).stdout).items.map((o: { metadata: { name: string } }) => o.metadata.name).sort();
    const pid = workerdPid(knit);
    const steady = steadyLoad(knit.port, "hello.default.example.com", 2);
    await new Promise((r) => setTimeout(r, 300));
    const hogged = await burst(knit.port, "hog.default.example.com", 1, 1);
    const crashedAt = Date.now();
    expect(hogged[0].status === 0 || hogged[0].status >= 500).toBe(true);
    await waitFor("a new workerd", () => {
      try {
        return workerdPid(knit) !== pid ? true : undefined;
      } catch {
        return undefined;
      }
    }, 30_000);
    await waitFor("the other Service serving again", async () => ((await knit.get("hello.default.example.com")).status === 200 ? true : undefined), 30_000);
    const backAt = Date.now();
    await new Promise((r) => setTimeout(r, 300));
    const hits = await steady.stop();
    expect(knit.output()).toMatch(/heap out of memory|Reached heap limit/);
    expect(knit.output()).toContain("workerd exited unexpectedly");
    const after = JSON.parse(knit.kubectl(["get", "ksvc", "-o", "json"]).stdout).items.map((o: { metadata: { name: string } }) => o.metadata.name).sort();
    expect(after).toEqual(before);
    const failed = hits.filter((h) => h.status !== 200).length;
    report("memory exhaustion", { otherServiceRequests: hits.length, failedWhileWorkerdWasDown: failed, secondsFromCrashToServing: ((backAt - crashedAt) / 1000).toFixed(1), servicesLost: 0 });
  }, 90_000);

  it("a revision in an endless loop holds workerd's thread until the liveness probe restarts it", async () => {
    const pid = workerdPid(knit);
    const looped = burst(knit.port, "looper.default.example.com", 1, 1);
    const stuckAt = Date.now();
    await waitFor("a new workerd", () => {
      try {
        return workerdPid(knit) !== pid ? true : undefined;
      } catch {
        return undefined;
      }
    }, 30_000);
    expect((await looped)[0].status === 0 || (await looped)[0].status >= 500).toBe(true);
    await waitFor("the other Service serving again", async () => ((await knit.get("hello.default.example.com")).status === 200 ? true : undefined), 30_000);
    expect(knit.output()).toContain("did not answer its liveness probe 3 times in a row; killing it");
    report("endless loop", { secondsFromLoopToServing: ((Date.now() - stuckAt) / 1000).toFixed(1), servicesLost: 0 });
  }, 60_000);
});
