import { describe, expect, it } from "vitest";
import { setDefaults } from "./index.ts";
import { parseServingConfig } from "../config/parse.ts";
import type { KObject } from "../types.ts";
import type { StoreKey } from "../reconcilers/world.ts";

const config = parseServingConfig([]);
const obj = (kind: string, spec: unknown, metadata: KObject["metadata"] = { name: "x", namespace: "default" }): KObject => ({ apiVersion: "v1", kind, metadata, spec });

describe("setDefaults", () => {
  it.each<[string, StoreKey, KObject, (o: KObject) => unknown, unknown]>([
    ["a Broker gets Knative's broker class", "brokers.eventing.knative.dev", obj("Broker", {}), (o) => o.metadata.annotations, { "eventing.knative.dev/broker.class": "MTChannelBasedBroker" }],
    ["a given broker class is kept", "brokers.eventing.knative.dev", obj("Broker", {}, { name: "b", annotations: { "eventing.knative.dev/broker.class": "Kafka" } }), (o) => o.metadata.annotations, { "eventing.knative.dev/broker.class": "Kafka" }],
    ["a Trigger is labelled with its Broker", "triggers.eventing.knative.dev", obj("Trigger", { broker: "default" }), (o) => o.metadata.labels, { "eventing.knative.dev/broker": "default" }],
    ["a Service's traffic defaults to the latest revision", "services.serving.knative.dev", obj("Service", { template: { spec: { containers: [{ image: "i" }] } } }), (o) => (o.spec as { traffic: unknown }).traffic, [{ latestRevision: true, percent: 100 }]],
  ])("%s", (_name, key, input, pick, want) => {
    expect(pick(setDefaults(key, input, config))).toEqual(want);
  });
});
