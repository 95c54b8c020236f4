// Faults and overload: workerd killed with SIGKILL under HTTP and event load (knit restarts it), then
// nothing applied is lost, every event that got a 202 is delivered at least once, and no queue is stuck;
// a revision overloaded beyond max-scale × containerConcurrency keeps a bounded queue, answers 503 with
// Retry-After, keeps workerd's memory bounded, and recovers when the load drops.

import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { killWorkerd, startKnit, workerdPid, type KnitHandle } from "../e2e/helpers/platform.ts";
import { burst, steadyLoad, waitFor } from "../e2e/helpers/load.ts";
import { startEventSink, type EventSink } from "../e2e/helpers/event-sink.ts";
import { applyModule, ready, report, rssMb } from "./lib.ts";

let knit: KnitHandle;
let sink: EventSink;

beforeAll(async () => {
  [knit, sink] = await Promise.all([startKnit(), startEventSink()]);
}, 120_000);
afterAll(async () => {
  await knit?.stop();
  await sink?.close();
});

function sendEvent(id: string): Promise<number> {
  return new Promise((done) => {
    const req = request({ host: "127.0.0.1", port: knit.port, path: "/default/faults", method: "POST", headers: {
      host: "broker-ingress.knative-eventing.svc.cluster.local", "ce-id": id, "ce-source": "reliability", "ce-type": "test.fault", "ce-specversion": "1.0", "content-type": "text/plain",
    } }, (res) => {
      res.resume();
      res.on("end", () => done(res.statusCode ?? 0));
    });
    req.on("error", () => done(0));
    req.end(`event ${id}`);
  });
}

function names(kind: string): string[] {
  return JSON.parse(knit.kubectl(["get", kind, "-A", "-o", "json"]).stdout).items.map((o: { metadata: { namespace: string; name: string } }) => `${o.metadata.namespace}/${o.metadata.name}`).sort();
}

describe("faults", () => {
  it("SIGKILL under HTTP and event load: nothing applied lost, every 202 delivered, no queue stuck", async () => {
    const yaml = `apiVersion: eventing.knative.dev/v1
kind: Broker
metadata:
  name: faults
---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata:
  name: faults-out
spec:
  broker: faults
  subscriber:
    uri: ${sink.url("/faults")}
  delivery:
    retry: 100
    backoffPolicy: linear
    backoffDelay: PT0.2S
`;
    expect(knit.kubectl(["apply", "-f", "-"], yaml).code).toBe(0);
    applyModule(knit, "single", `export default { async fetch() { await new Promise((r) => setTimeout(r, 50)); return new Response("one at a time"); } };`, "      containerConcurrency: 1\n");
    await ready(knit, "trigger", "faults-out");
    await ready(knit, "ksvc", "single");
    await waitFor("broker accepting", async () => ((await sendEvent("probe")) === 202 ? true : undefined), 10_000);
    const kinds = ["ksvc", "configuration", "route", "revision", "broker", "trigger"];
    const before = Object.fromEntries(kinds.map((k) => [k, names(k)]));

    const http = steadyLoad(knit.port, "hello.default.example.com", 4);
    const queued = steadyLoad(knit.port, "single.default.example.com", 4);
    const acked: string[] = [];
    let sent = 0;
    let sending = true;
    const events = (async () => {
      while (sending) {
        const id = `ev-${sent++}`;
        if ((await sendEvent(id)) === 202) acked.push(id);
      }
    })();
    await new Promise((r) => setTimeout(r, 1500));
    const killedWith = acked.length;
    await killWorkerd(knit);
    await new Promise((r) => setTimeout(r, 1500));
    sending = false;
    await events;
    const [httpHits, queuedHits] = await Promise.all([http.stop(), queued.stop()]);

    const after = Object.fromEntries(kinds.map((k) => [k, names(k)]));
    expect(after).toEqual(before);
    await waitFor("every acknowledged event delivered", () => {
      const got = new Set(sink.received("/faults").map((r) => String(r.headers["ce-id"])));
      return acked.every((id) => got.has(id)) ? true : undefined;
    }, 60_000);
    // No queue stuck: each revision answers again, the one-at-a-time one to a burst.
    expect((await knit.get("hello.default.example.com")).status).toBe(200);
    const again = await burst(knit.port, "single.default.example.com", 8, 8);
    expect(again.map((h) => h.status)).toEqual(again.map(() => 200));
    const delivered = new Set(sink.received("/faults").map((r) => String(r.headers["ce-id"])));
    report("SIGKILL under load", {
      faultsInjected: 1,
      httpRequests: httpHits.length + queuedHits.length,
      httpFailedAroundKill: [...httpHits, ...queuedHits].filter((h) => h.status !== 200).length,
      eventsSent: sent,
      eventsAcknowledged: acked.length,
      acknowledgedBeforeKill: killedWith,
      acknowledgedLost: acked.filter((id) => !delivered.has(id)).length,
      objectsLost: 0,
    });
  }, 120_000);

  it("overload beyond max-scale × containerConcurrency: bounded queue, 503 + Retry-After, bounded memory, recovery", async () => {
    applyModule(knit, "tight", `export default { async fetch() { await new Promise((r) => setTimeout(r, 100)); return new Response("ok"); } };`,
      "      containerConcurrency: 2\n");
    // max-scale 2 × containerConcurrency 2 = 4 in flight; a queue of 20 beyond that.
    const patch = knit.kubectl(["patch", "ksvc", "tight", "--type", "merge", "-p", JSON.stringify({ spec: { template: { metadata: { annotations: { "autoscaling.knative.dev/max-scale": "2", "knit.dev/queue-depth": "20" } } } } })]);
    expect(patch.code, patch.stderr).toBe(0);
    await waitFor("tight-00002 Ready", () => (knit.kubectl(["get", "rev", "tight-00002", "-o", "jsonpath={.status.conditions[?(@.type=='Ready')].status}"]).stdout === "True" ? true : undefined), 30_000);
    await waitFor("tight serving from its new revision", async () => ((await knit.get("tight.default.example.com")).status === 200 ? true : undefined), 20_000);

    const pid = workerdPid(knit);
    const rssBefore = rssMb(pid);
    const started = Date.now();
    const rounds: Awaited<ReturnType<typeof burst>>[] = [];
    while (Date.now() - started < 6_000) rounds.push(await burst(knit.port, "tight.default.example.com", 400, 100));
    const hits = rounds.flat();
    const rssAfter = rssMb(pid);
    const ok = hits.filter((h) => h.status === 200).length;
    const shed = hits.filter((h) => h.status === 503);
    expect(ok).toBeGreaterThan(0);
    expect(shed.length).toBeGreaterThan(0);
    expect(hits.filter((h) => h.status !== 200 && h.status !== 503)).toEqual([]);
    expect(shed[0].body).toMatch(/overloaded|queue is full/);
    // Retry-After on every shed request: checked on a fresh overload with raw responses.
    const retryAfter = await new Promise<string | undefined>((done) => {
      const pending = Array.from({ length: 60 }, () => new Promise<string | undefined>((resolve) => {
        const req = request({ host: "127.0.0.1", port: knit.port, path: "/", headers: { host: "tight.default.example.com" } }, (res) => {
          res.resume();
          resolve(res.statusCode === 503 ? String(res.headers["retry-after"]) : undefined);
        });
        req.on("error", () => resolve(undefined));
        req.end();
      }));
      void Promise.all(pending).then((all) => done(all.find((v) => v !== undefined)));
    });
    expect(retryAfter).toMatch(/^\d+$/);
    expect(rssAfter - rssBefore).toBeLessThan(200);
    // Recovery: with the load gone, every request is served.
    await new Promise((r) => setTimeout(r, 500));
    const calm = await burst(knit.port, "tight.default.example.com", 8, 4);
    expect(calm.map((h) => h.status)).toEqual(calm.map(() => 200));
    report("overload", { requests: hits.length, served: ok, shed503: shed.length, retryAfter: retryAfter!, rssBeforeMb: rssBefore.toFixed(1), rssAfterMb: rssAfter.toFixed(1), recovered: "yes" });
  }, 120_000);
});
