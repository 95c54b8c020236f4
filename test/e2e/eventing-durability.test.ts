// Durability: events acknowledged with 202 survive workerd being killed with SIGKILL before they are
// delivered; after a restart on the same state every one of them reaches the subscriber.

import { request } from "node:http";
import { afterAll, describe, expect, it } from "vitest";
import { killWorkerd, startKnit, type KnitHandle } from "./helpers/platform.ts";
import { waitFor } from "./helpers/load.ts";
import { startEventSink, type EventSink } from "./helpers/event-sink.ts";
import { freePort } from "../../src/cli/state.ts";

const BROKER_HOST = "broker-ingress.knative-eventing.svc.cluster.local";
let knit: KnitHandle | undefined;
let sink: EventSink | undefined;

afterAll(async () => {
  await knit?.stop();
  await sink?.close();
});

function send(k: KnitHandle, id: string): Promise<number> {
  return new Promise((done, fail) => {
    const req = request({ host: "127.0.0.1", port: k.port, path: "/default/durable", method: "POST", headers: {
      host: BROKER_HOST, "ce-id": id, "ce-specversion": "1.0", "ce-type": "com.example.kept", "ce-source": "/durability", "content-type": "text/plain",
    } }, (res) => {
      res.resume();
      res.on("end", () => done(res.statusCode ?? 0));
    });
    req.on("error", fail);
    req.end(`event ${id}`);
  });
}

describe("durable broker", () => {
  it("delivers every acknowledged event after workerd is killed before delivery", async () => {
    // Nothing listens on the subscriber's port yet, so no event can be delivered before the kill.
    const port = await freePort();
    const first = await startKnit();
    knit = first;
    const r = first.kubectl(["apply", "-f", "-"], `apiVersion: eventing.knative.dev/v1
kind: Broker
metadata:
  name: durable
spec: {}
---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata:
  name: keeper
spec:
  broker: durable
  subscriber:
    uri: http://127.0.0.1:${port}/kept
  delivery:
    retry: 1000
    backoffPolicy: linear
    backoffDelay: PT0.2S
`);
    expect(r.code).toBe(0);
    await waitFor("trigger ready", () => (first.kubectl(["get", "trigger", "keeper", "-o", "jsonpath={.status.subscriberUri}"]).stdout ? true : undefined), 20_000);
    // The broker's event log learns its subscription just after the Trigger resolves.
    await waitFor("broker accepts", async () => ((await send(first, "probe")) === 202 ? true : undefined), 10_000);

    const ids = Array.from({ length: 50 }, (_, i) => `kept-${i}`);
    const statuses = await Promise.all(ids.map((id) => send(first, id)));
    expect(statuses.every((s) => s === 202)).toBe(true);

    // knit restarts workerd on the same state; deliveries resume from the durable log.
    await killWorkerd(first);
    expect(first.output()).toContain("workerd exited unexpectedly (SIGKILL); restarting it");

    sink = await startEventSink(port);
    await waitFor("every acknowledged event delivered", () => {
      const got = new Set(sink!.received("/kept").map((x) => String(x.headers["ce-id"])));
      return ids.every((id) => got.has(id)) ? true : undefined;
    }, 30_000);
    const bodies = new Map(sink.received("/kept").map((x) => [String(x.headers["ce-id"]), x.body]));
    expect(bodies.get("kept-7")).toBe("event kept-7");
  }, 120_000);
});
