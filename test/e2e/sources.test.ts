// SinkBinding, ContainerSource (worker image) and ApiServerSource end to end. Workers reach the sink
// through Knit's own hosts (a Broker here); a Trigger forwards to a local HTTP server standing in for a
// subscriber outside Knit.

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKnit, type KnitHandle } from "./helpers/platform.ts";
import { waitFor } from "./helpers/load.ts";
import { startEventSink, type EventSink } from "./helpers/event-sink.ts";
import { whenReady } from "./helpers/kube.ts";

const dir = mkdtempSync(join(tmpdir(), "knit-sources-"));
let knit: KnitHandle;
let sink: EventSink;
const BROKER_URL = "http://broker-ingress.knative-eventing.svc.cluster.local/default/events";

beforeAll(async () => {
  [knit, sink] = await Promise.all([startKnit(), startEventSink()]);
  const r = knit.kubectl(["apply", "-f", "-"], `apiVersion: eventing.knative.dev/v1
kind: Broker
metadata:
  name: events
---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata:
  name: everything
spec:
  broker: events
  subscriber:
    uri: ${sink.url("/all")}
`);
  expect(r.stderr).toBe("");
}, 120_000);
afterAll(async () => {
  await knit?.stop();
  await sink?.close();
});

function apply(file: string, yaml: string): void {
  writeFileSync(join(dir, file), yaml);
  const r = knit.knit(["apply", "-f", join(dir, file)]);
  expect(r.stderr).toBe("");
}

const ready = (kind: string, name: string) => whenReady(knit, kind, name);

const ofType = (type: string) => sink.received("/all").filter((r) => r.headers["ce-type"] === type);

describe("sources", () => {
  it("SinkBinding gives the bound Service's revisions K_SINK and K_CE_OVERRIDES", async () => {
    writeFileSync(join(dir, "emitter.js"), `export default { async fetch(req, env) {
  const overrides = JSON.parse(env.K_CE_OVERRIDES ?? "{}").extensions ?? {};
  const headers = { "ce-id": crypto.randomUUID(), "ce-specversion": "1.0", "ce-type": "com.example.emitted", "ce-source": "/emitter", "content-type": "text/plain" };
  for (const [k, v] of Object.entries(overrides)) headers["ce-" + k] = v;
  const r = await fetch(env.K_SINK, { method: "POST", headers, body: "hello from a bound service" });
  return new Response(env.K_SINK + " " + r.status);
} };`);
    apply("emitter.yaml", `apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: emitter
spec:
  template:
    spec:
      containers:
        - image: worker://./emitter.js
---
apiVersion: sources.knative.dev/v1
kind: SinkBinding
metadata:
  name: bind-emitter
spec:
  subject:
    apiVersion: serving.knative.dev/v1
    kind: Service
    name: emitter
  sink:
    ref:
      apiVersion: eventing.knative.dev/v1
      kind: Broker
      name: events
  ceOverrides:
    extensions:
      origin: bound
`);
    const binding = await ready("sinkbinding", "bind-emitter");
    expect(binding.status.sinkUri).toBe(BROKER_URL);
    await ready("ksvc", "emitter");
    const res = await waitFor("emitter posts to its sink", async () => {
      const r = await knit.get("emitter.default.example.com");
      return r.status === 200 && r.body === `${BROKER_URL} 202` ? r : undefined;
    }, 10_000);
    expect(res.body).toBe(`${BROKER_URL} 202`);
    await waitFor("the emitted event", () => (ofType("com.example.emitted").length ? true : undefined), 10_000);
    const [got] = ofType("com.example.emitted");
    expect(got.headers["ce-origin"]).toBe("bound");
    expect(got.body).toBe("hello from a bound service");
  }, 60_000);

  it("ContainerSource runs a worker image until deleted, with K_SINK and its args", async () => {
    writeFileSync(join(dir, "time-source.js"), `export default { async fetch(req, env) {
  const interval = Number((JSON.parse(env.K_ARGS ?? "[]").find((a) => a.startsWith("--interval=")) ?? "--interval=1").split("=")[1]);
  for (let n = 0; ; n++) {
    await fetch(env.K_SINK, { method: "POST", body: new Date().toISOString(), headers: {
      "ce-id": crypto.randomUUID(), "ce-specversion": "1.0", "ce-type": "dev.knit.samples.time", "ce-source": "/time-event-source", "content-type": "text/plain" } });
    await new Promise((r) => setTimeout(r, interval * 1000));
  }
} };`);
    apply("time.yaml", `apiVersion: sources.knative.dev/v1
kind: ContainerSource
metadata:
  name: time-eventsource
spec:
  template:
    spec:
      containers:
        - image: worker://./time-source.js
          args:
            - --interval=0.3
  sink:
    ref:
      apiVersion: eventing.knative.dev/v1
      kind: Broker
      name: events
`);
    const source = await ready("containersource", "time-eventsource");
    expect(source.status.sinkUri).toBe(BROKER_URL);
    expect(knit.kubectl(["get", "containersource"]).stdout).toMatch(/time-eventsource\s+http:\/\/broker-ingress\S+\s+\S+\s+True/);
    await waitFor("three ticks", () => (ofType("dev.knit.samples.time").length >= 3 ? true : undefined), 10_000);
    expect(Number.isNaN(Date.parse(ofType("dev.knit.samples.time")[0].body))).toBe(false);

    expect(knit.kubectl(["delete", "containersource", "time-eventsource"]).code).toBe(0);
    await new Promise((r) => setTimeout(r, 1000));
    const after = ofType("dev.knit.samples.time").length;
    await new Promise((r) => setTimeout(r, 1500));
    expect(ofType("dev.knit.samples.time").length).toBe(after);
  }, 60_000);

  it("ApiServerSource sends add, update and delete events for the objects it watches", async () => {
    const r = knit.kubectl(["apply", "-f", "-"], `apiVersion: sources.knative.dev/v1
kind: ApiServerSource
metadata:
  name: watch-config
spec:
  mode: Resource
  resources:
    - apiVersion: v1
      kind: ConfigMap
      selector:
        matchLabels:
          watched: "yes"
  sink:
    uri: ${sink.url("/apiserver")}
`);
    expect(r.stderr).toBe("");
    await ready("apiserversource", "watch-config");
    const cm = (value: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  labels:
    watched: "yes"
data:
  color: ${value}
`;
    expect(knit.kubectl(["apply", "-f", "-"], cm("blue")).code).toBe(0);
    expect(knit.kubectl(["apply", "-f", "-"], cm("green")).code).toBe(0);
    expect(knit.kubectl(["create", "configmap", "unwatched", "--from-literal=a=b"]).code).toBe(0);
    expect(knit.kubectl(["delete", "configmap", "settings"]).code).toBe(0);
    await waitFor("three events", () => (sink.received("/apiserver").length >= 3 ? true : undefined), 10_000);
    await new Promise((r) => setTimeout(r, 500));
    const got = sink.received("/apiserver");
    expect(got.map((g) => g.headers["ce-type"]).sort()).toEqual([
      "dev.knative.apiserver.resource.add", "dev.knative.apiserver.resource.delete", "dev.knative.apiserver.resource.update",
    ]);
    const update = got.find((g) => g.headers["ce-type"] === "dev.knative.apiserver.resource.update")!;
    expect(update.headers["ce-subject"]).toBe("/api/v1/namespaces/default/configmaps/settings");
    expect(JSON.parse(update.body).data).toEqual({ color: "green" });
  }, 30_000);
});
