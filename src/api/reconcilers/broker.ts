// Broker: addressable at Knit's broker ingress; events are stored durably by the broker's event log
// (a Durable Object), so the ingress, filter and trigger channel are ready as soon as the Broker exists.

import type { AddressStatus, Broker } from "../types.ts";
import type { Reconciler } from "./world.ts";
import { generationOf, livingConditions, markTrue } from "./conditions.ts";
import { resolveDeadLetterSink } from "./addressable.ts";
import { brokerUrl } from "../../eventing/addresses.ts";

const DEPENDENTS = ["Addressable", "DeadLetterSinkResolved", "FilterReady", "IngressReady", "TriggerChannelReady"] as const;

export const reconcileBroker: Reconciler = (obj, world) => {
  const broker = obj as Broker;
  const ns = broker.metadata.namespace!;
  const previous = broker.status ?? {};
  const url = brokerUrl(ns, broker.metadata.name!);
  const status: AddressStatus = { ...previous, observedGeneration: generationOf(broker), address: { name: "http", url }, addresses: [{ name: "http", url }] };
  const dls = resolveDeadLetterSink(broker.spec?.delivery?.deadLetterSink, ns, world, status);
  status.conditions = livingConditions(previous.conditions, {
    Addressable: markTrue(),
    DeadLetterSinkResolved: dls,
    FilterReady: markTrue(),
    IngressReady: markTrue(),
    TriggerChannelReady: markTrue(),
  }, DEPENDENTS, world.now);
  return { status };
};
