// Channels, Subscriptions, Sequence and Parallel end to end: steps and branches are Knative Services
// (worker revisions); the final replies go to a local HTTP server standing in for a subscriber outside Knit.

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKnit, type KnitHandle } from "./helpers/platform.ts";
import { waitFor } from "./helpers/load.ts";
import { startEventSink, type EventSink } from "./helpers/event-sink.ts";
import { kubectlApply as applyYaml, whenReady } from "./helpers/kube.ts";

const dir = mkdtempSync(join(tmpdir(), "knit-flows-"));
let knit: KnitHandle;
let sink: EventSink;

// One module, three behaviours chosen by env: append its name to data.path, pass even/odd n, tag with its name.
const FLOW = `export default { async fetch(req, env) {
  const body = await req.json();
  const headers = { "ce-id": req.headers.get("ce-id"), "ce-specversion": "1.0", "ce-source": "/flows/" + env.NAME,
    "ce-type": req.headers.get("ce-type"), "content-type": "application/json" };
  if (env.MODE === "append") return new Response(JSON.stringify({ ...body, path: [...(body.path ?? []), env.NAME] }), { headers });
  if (env.MODE === "filter") return (body.n % 2 === 0) === (env.NAME === "even")
    ? new Response(JSON.stringify(body), { headers }) : new Response(null, { status: 202 });
  return new Response(JSON.stringify({ ...body, tag: env.NAME }), { headers });
} };`;

function service(name: string, mode: string, label: string): string {
  return `apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: ${name}
spec:
  template:
    spec:
      containers:
        - image: worker://./flow.js
          env:
            - { name: MODE, value: ${mode} }
            - { name: NAME, value: ${label} }
`;
}

beforeAll(async () => {
  [knit, sink] = await Promise.all([startKnit(), startEventSink()]);
  writeFileSync(join(dir, "flow.js"), FLOW);
  writeFileSync(join(dir, "services.yaml"), [
    service("step-a", "append", "a"), service("step-b", "append", "b"), service("step-c", "append", "c"),
    service("even-filter", "filter", "even"), service("odd-filter", "filter", "odd"),
    service("even", "tag", "even"), service("odd", "tag", "odd"),
  ].join("---\n"));
  const r = knit.knit(["apply", "-f", join(dir, "services.yaml")]);
  expect(r.stderr).toBe("");
}, 120_000);
afterAll(async () => {
  await knit?.stop();
  await sink?.close();
});

const kubectlApply = (yaml: string) => applyYaml(knit, yaml);
const ready = (kind: string, name: string) => whenReady(knit, kind, name, "default", 30_000);

function send(url: string, id: string, data: unknown): Promise<number> {
  const u = new URL(url);
  return new Promise((done, fail) => {
    const req = request({ host: "127.0.0.1", port: knit.port, path: u.pathname, method: "POST", headers: {
      host: u.host, "ce-id": id, "ce-specversion": "1.0", "ce-type": "com.example.flow", "ce-source": "/test", "content-type": "application/json",
    } }, (res) => {
      res.resume();
      res.on("end", () => done(res.statusCode ?? 0));
    });
    req.on("error", fail);
    req.end(JSON.stringify(data));
  });
}

const ref = (name: string) => `ref: { apiVersion: serving.knative.dev/v1, kind: Service, name: ${name} }`;

describe("flows", () => {
  it("a 3-step Sequence: each step's reply feeds the next, the last reply goes to spec.reply", async () => {
    kubectlApply(`apiVersion: flows.knative.dev/v1
kind: Sequence
metadata:
  name: pipeline
spec:
  channelTemplate:
    apiVersion: messaging.knative.dev/v1
    kind: InMemoryChannel
  steps:
    - ${ref("step-a")}
    - ${ref("step-b")}
    - ${ref("step-c")}
  reply:
    uri: ${sink.url("/sequence")}
`);
    const seq = await ready("sequence", "pipeline");
    expect(seq.status.address.url).toBe("http://pipeline-kn-sequence-0-kn-channel.default.svc.cluster.local");
    expect(knit.kubectl(["get", "imc"]).stdout).toMatch(/pipeline-kn-sequence-2\s+http:\/\/pipeline-kn-sequence-2-kn-channel\.default\.svc\.cluster\.local\s+\S+\s+True/);
    expect(knit.kubectl(["get", "subscriptions"]).stdout).toMatch(/pipeline-kn-sequence-1\s+\S+\s+True/);
    expect(await send(seq.status.address.url, "seq-1", { start: true })).toBe(202);
    await waitFor("the sequence's reply", () => (sink.received("/sequence").length ? true : undefined), 15_000);
    const [reply] = sink.received("/sequence");
    expect(JSON.parse(reply.body)).toEqual({ start: true, path: ["a", "b", "c"] });
    expect(reply.headers["ce-source"]).toBe("/flows/c");
  }, 60_000);

  it("a Parallel with two filtered branches: each event takes the branch whose filter passes it", async () => {
    kubectlApply(`apiVersion: flows.knative.dev/v1
kind: Parallel
metadata:
  name: split
spec:
  branches:
    - filter: { ${ref("even-filter")} }
      subscriber: { ${ref("even")} }
    - filter: { ${ref("odd-filter")} }
      subscriber: { ${ref("odd")} }
  reply:
    uri: ${sink.url("/parallel")}
`);
    const p = await ready("parallel", "split");
    expect(p.status.address.url).toBe("http://split-kn-parallel-kn-channel.default.svc.cluster.local");
    for (const n of [1, 2, 3, 4]) expect(await send(p.status.address.url, `n-${n}`, { n })).toBe(202);
    await waitFor("four tagged replies", () => (sink.received("/parallel").length >= 4 ? true : undefined), 15_000);
    await new Promise((r) => setTimeout(r, 500));
    const tags = sink.received("/parallel").map((r) => JSON.parse(r.body)).sort((a, b) => a.n - b.n);
    expect(tags).toEqual([{ n: 1, tag: "odd" }, { n: 2, tag: "even" }, { n: 3, tag: "odd" }, { n: 4, tag: "even" }]);
  }, 60_000);

  it("a Channel with a Subscription delivers to the subscriber and sends its reply on", async () => {
    kubectlApply(`apiVersion: messaging.knative.dev/v1
kind: Channel
metadata:
  name: orders
---
apiVersion: messaging.knative.dev/v1
kind: Subscription
metadata:
  name: tag-orders
spec:
  channel: { apiVersion: messaging.knative.dev/v1, kind: Channel, name: orders }
  subscriber: { ${ref("even")} }
  reply: { uri: "${sink.url("/channel")}" }
`);
    const channel = await ready("channel", "orders");
    expect(channel.status.address.url).toBe("http://orders-kn-channel.default.svc.cluster.local");
    await ready("subscription", "tag-orders");
    expect(await send(channel.status.address.url, "c-1", { n: 10 })).toBe(202);
    await waitFor("the channel's reply", () => (sink.received("/channel").length ? true : undefined), 15_000);
    expect(JSON.parse(sink.received("/channel")[0].body)).toEqual({ n: 10, tag: "even" });
  }, 60_000);
});
