// Eventing end to end: Brokers and Triggers applied with kubectl, events sent to the broker ingress
// through Knit's ingress, delivered to Knative Services (worker revisions) and to a local HTTP server
// standing in for subscribers outside Knit (a Trigger's `uri`).

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKnit, type KnitHandle } from "./helpers/platform.ts";
import { waitFor } from "./helpers/load.ts";
import { startEventSink, type EventSink } from "./helpers/event-sink.ts";
import { kubectlApply as applyYaml, whenReady } from "./helpers/kube.ts";

const BROKER_HOST = "broker-ingress.knative-eventing.svc.cluster.local";
const dir = mkdtempSync(join(tmpdir(), "knit-events-"));
let knit: KnitHandle;
let sink: EventSink;

beforeAll(async () => {
  [knit, sink] = await Promise.all([startKnit(), startEventSink()]);
}, 120_000);
afterAll(async () => {
  await knit?.stop();
  await sink?.close();
});

function post(host: string, path: string, headers: Record<string, string>, body: string): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    const req = request({ host: "127.0.0.1", port: knit.port, path, method: "POST", headers: { host, ...headers } }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString()));
      res.on("end", () => done({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("error", fail);
    req.end(body);
  });
}

function event(ns: string, broker: string, attrs: { id: string; type: string; source: string }, data: unknown = { msg: "hello, world!" }) {
  return post(BROKER_HOST, `/${ns}/${broker}`, {
    "ce-id": attrs.id, "ce-specversion": "1.0", "ce-type": attrs.type, "ce-source": attrs.source, "content-type": "application/json",
  }, JSON.stringify(data));
}

const kubectlApply = (yaml: string) => applyYaml(knit, yaml);
const ready = (kind: string, name: string, ns: string) => whenReady(knit, kind, name, ns);

const ids = (path: string) => sink.received(path).map((r) => r.headers["ce-id"]);

describe("broker and trigger (seed 002 walkthrough)", () => {
  it("delivers only the events that pass the trigger's filter to a Knative Service, whose reply re-enters the broker", async () => {
    // The subscriber from the seed, as a worker: it answers every event with a reply event.
    writeFileSync(join(dir, "hello-go.js"), `export default { async fetch(req) {
  const body = await req.json();
  return new Response(JSON.stringify({ msg: "Hi from Knit", got: body.msg, id: req.headers.get("ce-id") }), { headers: {
    "ce-id": "reply-" + req.headers.get("ce-id"), "ce-specversion": "1.0", "ce-type": "dev.knative.samples.hifromknative",
    "ce-source": "knative/eventing/samples/hello-world", "content-type": "application/json" } });
} };`);
    writeFileSync(join(dir, "hello-go.yaml"), `apiVersion: v1
kind: Namespace
metadata:
  name: knative-samples
---
apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: hello-go
  namespace: knative-samples
spec:
  template:
    spec:
      containers:
        - image: worker://./hello-go.js
`);
    const applied = knit.knit(["apply", "-f", join(dir, "hello-go.yaml")]);
    expect(applied.stderr).toBe("");
    kubectlApply(`apiVersion: eventing.knative.dev/v1
kind: Broker
metadata:
  name: default
  namespace: knative-samples
spec: {}
---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata:
  name: hello-go
  namespace: knative-samples
spec:
  broker: default
  filter:
    attributes:
      type: dev.knative.samples.helloworld
      source: dev.knative.samples/helloworldsource
  subscriber:
    ref:
      apiVersion: v1
      kind: Service
      name: hello-go
---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata:
  name: replies
  namespace: knative-samples
spec:
  broker: default
  filter:
    attributes:
      type: dev.knative.samples.hifromknative
  subscriber:
    uri: ${sink.url("/replies")}
`);
    await ready("ksvc", "hello-go", "knative-samples");
    const broker = await ready("broker", "default", "knative-samples");
    expect(broker.status.address.url).toBe(`http://${BROKER_HOST}/knative-samples/default`);
    const trigger = await ready("trigger", "hello-go", "knative-samples");
    expect(trigger.status.subscriberUri).toBe("http://hello-go.knative-samples.svc.cluster.local/");
    await ready("trigger", "replies", "knative-samples");

    const table = knit.kubectl(["get", "trigger", "-n", "knative-samples"]).stdout;
    expect(table).toMatch(/NAME\s+BROKER\s+SUBSCRIBER_URI\s+AGE\s+READY\s+REASON/);
    expect(table).toMatch(/hello-go\s+default\s+http:\/\/hello-go\.knative-samples\.svc\.cluster\.local\/\s+\S+\s+True/);
    expect(knit.kubectl(["get", "broker", "-n", "knative-samples"]).stdout).toMatch(/default\s+http:\/\/broker-ingress\.knative-eventing\.svc\.cluster\.local\/knative-samples\/default\s+\S+\s+True/);

    const good = { type: "dev.knative.samples.helloworld", source: "dev.knative.samples/helloworldsource" };
    expect((await event("knative-samples", "default", { id: "match-1", ...good })).status).toBe(202);
    expect((await event("knative-samples", "default", { id: "wrong-type", ...good, type: "dev.knative.samples.other" })).status).toBe(202);
    expect((await event("knative-samples", "default", { id: "wrong-source", ...good, source: "elsewhere" })).status).toBe(202);
    expect((await event("knative-samples", "default", { id: "match-2", ...good }, { msg: "second" })).status).toBe(202);

    await waitFor("both replies", () => (sink.received("/replies").length >= 2 ? true : undefined), 10_000);
    await new Promise((r) => setTimeout(r, 500));
    const replies = sink.received("/replies");
    expect(replies.map((r) => r.headers["ce-id"]).sort()).toEqual(["reply-match-1", "reply-match-2"]);
    expect(replies.map((r) => JSON.parse(r.body).got).sort()).toEqual(["hello, world!", "second"]);
    expect(replies[0].headers["ce-type"]).toBe("dev.knative.samples.hifromknative");
  }, 60_000);
});

describe("broker ingress errors", () => {
  it("answers 400 naming a missing attribute, 404 for an unknown broker, 405 for GET, 413 for an oversized event", async () => {
    const missing = await post(BROKER_HOST, "/knative-samples/default", { "ce-specversion": "1.0", "ce-type": "t", "ce-source": "s" }, "{}");
    expect(missing.status).toBe(400);
    expect(missing.body).toContain("id");
    const structured = await post(BROKER_HOST, "/knative-samples/default", { "content-type": "application/cloudevents+json" }, '{"specversion":"1.0","id":"1","source":"s"}');
    expect(structured.status).toBe(400);
    expect(structured.body).toContain("type");
    const notJson = await post(BROKER_HOST, "/knative-samples/default", { "content-type": "application/cloudevents+json" }, "{nope");
    expect(notJson.status).toBe(400);
    expect((await event("knative-samples", "nosuchbroker", { id: "x", type: "t", source: "s" })).status).toBe(404);
    expect((await knit.get(BROKER_HOST, "/knative-samples/default")).status).toBe(405);
    const big = await event("knative-samples", "default", { id: "big", type: "t", source: "s" }, { blob: "x".repeat(2 * 1024 * 1024) });
    expect(big.status).toBe(413);
  });
});

describe("delivery", () => {
  it("retries with backoff, then sends the event to the dead-letter sink with Knative's extensions", async () => {
    kubectlApply(`apiVersion: eventing.knative.dev/v1
kind: Broker
metadata:
  name: retrying
spec: {}
---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata:
  name: flaky
spec:
  broker: retrying
  subscriber:
    uri: ${sink.url("/status/503")}
  delivery:
    retry: 2
    backoffPolicy: linear
    backoffDelay: PT0.1S
    deadLetterSink:
      uri: ${sink.url("/dead")}
`);
    const trigger = await ready("trigger", "flaky", "default");
    expect(trigger.status.deadLetterSinkUri).toBe(sink.url("/dead"));
    expect((await event("default", "retrying", { id: "doomed", type: "com.example.t", source: "/test" })).status).toBe(202);
    await waitFor("dead-lettered", () => (sink.received("/dead").length > 0 ? true : undefined), 10_000);
    expect(ids("/status/503")).toEqual(["doomed", "doomed", "doomed"]);
    const dead = sink.received("/dead")[0];
    expect(dead.headers["ce-id"]).toBe("doomed");
    expect(dead.headers["ce-knativeerrordest"]).toBe(sink.url("/status/503"));
    expect(dead.headers["ce-knativeerrorcode"]).toBe("503");
    expect(Buffer.from(String(dead.headers["ce-knativeerrordata"]), "base64").toString()).toBe("failing on purpose with 503");
    expect(JSON.parse(dead.body)).toEqual({ msg: "hello, world!" });
  }, 30_000);

  it("gives up an attempt at delivery.timeout, retries it, then dead-letters it with code 504", async () => {
    kubectlApply(`apiVersion: eventing.knative.dev/v1
kind: Broker
metadata:
  name: waiting
spec: {}
---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata:
  name: silent
spec:
  broker: waiting
  subscriber:
    uri: ${sink.url("/hang")}
  delivery:
    timeout: PT0.4S
    retry: 1
    backoffDelay: PT0.1S
    deadLetterSink:
      uri: ${sink.url("/dead-timeout")}
`);
    await ready("trigger", "silent", "default");
    const sent = Date.now();
    expect((await event("default", "waiting", { id: "unanswered", type: "com.example.t", source: "/test" })).status).toBe(202);
    await waitFor("dead-lettered after the timeouts", () => (sink.received("/dead-timeout").length > 0 ? true : undefined), 10_000);
    const took = Date.now() - sent;
    expect(ids("/hang")).toEqual(["unanswered", "unanswered"]);
    // Two attempts of 0.4 s and a backoff: not before the timeouts ran out, and not long after.
    expect(took).toBeGreaterThanOrEqual(800);
    expect(took).toBeLessThan(5_000);
    const dead = sink.received("/dead-timeout")[0];
    expect(dead.headers["ce-id"]).toBe("unanswered");
    expect(dead.headers["ce-knativeerrorcode"]).toBe("504");
    expect(dead.headers["ce-knativeerrordest"]).toBe(sink.url("/hang"));
  }, 30_000);

  it("filters with the SubscriptionsAPI dialects (prefix, suffix, any, not)", async () => {
    kubectlApply(`apiVersion: eventing.knative.dev/v1
kind: Broker
metadata:
  name: filtering
spec: {}
---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata:
  name: orders
spec:
  broker: filtering
  filters:
    - prefix:
        type: com.shop.order.
    - not:
        suffix:
          source: /test
    - any:
        - exact:
            subject: eu
        - exact:
            subject: us
  subscriber:
    uri: ${sink.url("/orders")}
`);
    await ready("trigger", "orders", "default");
    const send = (id: string, type: string, source: string, subject: string) =>
      post(BROKER_HOST, "/default/filtering", { "ce-id": id, "ce-specversion": "1.0", "ce-type": type, "ce-source": source, "ce-subject": subject }, "");
    for (const [id, type, source, subject] of [
      ["o1", "com.shop.order.created", "/shop/eu", "eu"],
      ["o2", "com.shop.invoice.created", "/shop/eu", "eu"],
      ["o3", "com.shop.order.created", "/shop/test", "eu"],
      ["o4", "com.shop.order.paid", "/shop/us", "us"],
      ["o5", "com.shop.order.paid", "/shop/asia", "asia"],
    ]) expect((await send(id, type, source, subject)).status).toBe(202);
    await waitFor("two orders", () => (sink.received("/orders").length >= 2 ? true : undefined), 10_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(ids("/orders").sort()).toEqual(["o1", "o4"]);
  }, 30_000);

  it("refuses a Trigger with a bad filter or delivery with a 422 naming the field", () => {
    const r = knit.kubectl(["apply", "-f", "-"], `apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata:
  name: bad
spec:
  broker: filtering
  filters:
    - prefix:
        type: ""
  delivery:
    backoffPolicy: sometimes
  subscriber:
    uri: ${sink.url("/never")}
`);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("spec.filters[0].prefix.type");
    expect(r.stderr).toContain("spec.delivery.backoffPolicy");
  });
});

describe("PingSource", () => {
  it("fires on its schedule with Knative's ping event, and stops when deleted", async () => {
    kubectlApply(`apiVersion: sources.knative.dev/v1
kind: PingSource
metadata:
  name: heartbeat
spec:
  schedule: "@every 1s"
  contentType: application/json
  data: '{"message": "ping"}'
  ceOverrides:
    extensions:
      team: platform
  sink:
    uri: ${sink.url("/ping")}
`);
    const source = await ready("pingsource", "heartbeat", "default");
    expect(source.status.sinkUri).toBe(sink.url("/ping"));
    expect(knit.kubectl(["get", "pingsource"]).stdout).toMatch(/heartbeat\s+http:\/\/127\.0\.0\.1:\d+\/ping\s+@every 1s\s+\S+\s+True/);
    await waitFor("two pings", () => (sink.received("/ping").length >= 2 ? true : undefined), 10_000);
    const [first] = sink.received("/ping");
    expect(first.headers["ce-type"]).toBe("dev.knative.sources.ping");
    expect(first.headers["ce-source"]).toBe("/apis/v1/namespaces/default/pingsources/heartbeat");
    expect(first.headers["ce-team"]).toBe("platform");
    expect(first.headers["content-type"]).toContain("application/json");
    expect(JSON.parse(first.body)).toEqual({ message: "ping" });

    expect(knit.kubectl(["delete", "pingsource", "heartbeat"]).code).toBe(0);
    await new Promise((r) => setTimeout(r, 1500));
    const after = sink.received("/ping").length;
    await new Promise((r) => setTimeout(r, 2500));
    expect(sink.received("/ping").length).toBe(after);
  }, 30_000);

  it("refuses a schedule that is not cron with a 422 naming spec.schedule", () => {
    const r = knit.kubectl(["apply", "-f", "-"], `apiVersion: sources.knative.dev/v1
kind: PingSource
metadata:
  name: broken
spec:
  schedule: "every now and then"
  sink:
    uri: ${sink.url("/never")}
`);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("spec.schedule");
  });
});
