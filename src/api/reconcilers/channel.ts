// Channel and InMemoryChannel. A Channel is backed by an InMemoryChannel of the same name (its
// channelTemplate's kind, as in Knative; Knit backs channels with InMemoryChannel only) and takes its
// address. An InMemoryChannel is addressed at {name}-kn-channel.{namespace}.svc.cluster.local and is
// served by an event log, which Knit keeps durable.

import type { Channel, ChannelStatus, InMemoryChannel, Subscription } from "../types.ts";
import type { Reconciler, StoreKey } from "./world.ts";
import { generationOf, getCondition, isReady, livingConditions, markFalse, markTrue, markUnknown, type Mark } from "./conditions.ts";
import { resolveDeadLetterSink } from "./addressable.ts";
import { channelUrl } from "../../eventing/addresses.ts";
import { makeChannel } from "../resources/flows.ts";
import { API_VERSION } from "../kinds.ts";

export const IMCS: StoreKey = "inmemorychannels.messaging.knative.dev";
export const SUBSCRIPTIONS: StoreKey = "subscriptions.messaging.knative.dev";

const IMC_DEPENDENTS = ["Addressable", "ChannelServiceReady", "DeadLetterSinkResolved", "DispatcherReady", "EndpointsReady", "ServiceReady"] as const;
const CHANNEL_DEPENDENTS = ["Addressable", "BackingChannelReady", "DeadLetterSinkResolved"] as const;

/** Whether a Subscription's channel reference names this channel (a Channel and its backing channel share a name). */
export function subscribesTo(sub: Subscription, name: string): boolean {
  const ref = sub.spec?.channel;
  return !!ref && ref.name === name && (ref.kind === "InMemoryChannel" || ref.kind === "Channel");
}

function deadLetter(obj: Channel, world: Parameters<Reconciler>[1], status: ChannelStatus): Mark {
  return resolveDeadLetterSink(obj.spec?.delivery?.deadLetterSink, obj.metadata.namespace!, world, status);
}

export const reconcileInMemoryChannel: Reconciler = (obj, world) => {
  const imc = obj as InMemoryChannel;
  const ns = imc.metadata.namespace!;
  const previous = imc.status ?? {};
  const url = channelUrl(ns, imc.metadata.name!);
  const status: ChannelStatus = { ...previous, observedGeneration: generationOf(imc), address: { name: "http", url }, addresses: [{ name: "http", url }] };
  status.subscribers = world.list<Subscription>(SUBSCRIPTIONS, ns)
    .filter((s) => subscribesTo(s, imc.metadata.name!))
    .map((s) => ({ uid: s.metadata.uid, observedGeneration: generationOf(s), ready: "True" as const }));
  const dls = deadLetter(imc, world, status);
  status.conditions = livingConditions(previous.conditions, {
    Addressable: markTrue(), ChannelServiceReady: markTrue(), DeadLetterSinkResolved: dls,
    DispatcherReady: markTrue(), EndpointsReady: markTrue(), ServiceReady: markTrue(),
  }, IMC_DEPENDENTS, world.now);
  return { status };
};

export const reconcileChannel: Reconciler = (obj, world) => {
  const channel = obj as Channel;
  const ns = channel.metadata.namespace!;
  const name = channel.metadata.name!;
  const previous = channel.status ?? {};
  const status: ChannelStatus = { ...previous, observedGeneration: generationOf(channel) };
  delete status.address;
  delete status.addresses;
  const templateKind = channel.spec?.channelTemplate?.kind ?? "InMemoryChannel";
  if (templateKind !== "InMemoryChannel") {
    status.conditions = livingConditions(previous.conditions, {
      BackingChannelReady: markFalse("ChannelTemplateUnsupported", `Knit backs channels with InMemoryChannel (durable); ${templateKind} is not available`),
      Addressable: markUnknown(), DeadLetterSinkResolved: markUnknown(),
    }, CHANNEL_DEPENDENTS, world.now);
    return { status };
  }
  const backing = makeChannel(channel, name);
  if (channel.spec?.delivery) backing.spec = { delivery: channel.spec.delivery };
  const live = world.get<InMemoryChannel>(IMCS, ns, name);
  status.channel = { apiVersion: API_VERSION.inMemoryChannel, kind: "InMemoryChannel", name, namespace: ns };
  const ready = isReady(live);
  if (ready && live?.status?.address) {
    status.address = live.status.address;
    status.addresses = live.status.addresses;
  }
  const dls = deadLetter(channel, world, status);
  status.conditions = livingConditions(previous.conditions, {
    BackingChannelReady: ready ? markTrue() : markUnknown(getCondition(live, "Ready")?.reason ?? "BackingChannelNotReady", "the backing InMemoryChannel is not ready yet"),
    Addressable: status.address ? markTrue() : markUnknown("NotAddressable", "the backing channel has no address yet"),
    DeadLetterSinkResolved: dls,
  }, CHANNEL_DEPENDENTS, world.now);
  return { status, upsert: [backing] };
};
