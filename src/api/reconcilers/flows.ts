// Sequence and Parallel: their channels and subscriptions (resources/flows.ts) are upserted, stale ones
// deleted; the flow is addressable at its first (Sequence) or ingress (Parallel) channel, and Ready when
// every channel and subscription is.

import type { Condition, InMemoryChannel, KObject, KReference, Parallel, ParallelStatus, Sequence, SequenceStatus, Subscription } from "../types.ts";
import type { ObjectRef, Reconciler, ReconcileResult, World } from "./world.ts";
import { generationOf, getCondition, isReady, livingConditions, markTrue, markUnknown } from "./conditions.ts";
import { IMCS, SUBSCRIPTIONS } from "./channel.ts";
import { isControlledBy } from "../resources/owner.ts";
import { parallelChildren, sequenceChildren } from "../resources/flows.ts";

const DEPENDENTS = ["Addressable", "ChannelsReady", "SubscriptionsReady"] as const;

function refOf(obj: KObject): KReference {
  return { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name!, namespace: obj.metadata.namespace };
}

function readyOf(live: KObject | undefined): Condition {
  return getCondition(live, "Ready") ?? { type: "Ready", status: "Unknown", reason: "NotCreated", message: "not created yet" };
}

interface Built {
  result: ReconcileResult;
  channels: { ref: KReference; live?: InMemoryChannel; ready: Condition }[];
  subscriptions: { ref: KReference; live?: Subscription; ready: Condition }[];
}

/** Desired children, stale ones to delete, and how the live ones stand. */
function build(owner: KObject, world: World, desired: { channels: InMemoryChannel[]; subscriptions: Subscription[] }): Built {
  const ns = owner.metadata.namespace!;
  const stale: ObjectRef[] = [];
  for (const [key, want] of [[IMCS, desired.channels], [SUBSCRIPTIONS, desired.subscriptions]] as const) {
    const names = new Set(want.map((c) => c.metadata.name));
    for (const child of world.list(key, ns)) {
      if (isControlledBy(child, owner) && !names.has(child.metadata.name)) stale.push({ key, namespace: ns, name: child.metadata.name! });
    }
  }
  const channels = desired.channels.map((c) => {
    const live = world.get<InMemoryChannel>(IMCS, ns, c.metadata.name!);
    return { ref: refOf(c), live, ready: readyOf(live) };
  });
  const subscriptions = desired.subscriptions.map((s) => {
    const live = world.get<Subscription>(SUBSCRIPTIONS, ns, s.metadata.name!);
    return { ref: refOf(s), live, ready: readyOf(live) };
  });
  return { result: { upsert: [...desired.channels, ...desired.subscriptions], ...(stale.length ? { delete: stale } : {}) }, channels, subscriptions };
}

function conditions(previous: Condition[] | undefined, built: Built, address: string | undefined, now: string): Condition[] {
  const allReady = (list: { live?: KObject }[]) => list.every((c) => isReady(c.live));
  return livingConditions(previous, {
    Addressable: address ? markTrue() : markUnknown("EmptyHostname", "the first channel has no address yet"),
    ChannelsReady: allReady(built.channels) ? markTrue() : markUnknown("ChannelsNotReady", "not every channel is ready"),
    SubscriptionsReady: allReady(built.subscriptions) ? markTrue() : markUnknown("SubscriptionsNotReady", "not every subscription is ready"),
  }, DEPENDENTS, now);
}

export const reconcileSequence: Reconciler = (obj, world) => {
  const seq = obj as Sequence;
  const built = build(seq, world, sequenceChildren(seq));
  const previous = seq.status ?? {};
  const address = built.channels[0]?.live?.status?.address?.url;
  const status: SequenceStatus = {
    ...previous,
    observedGeneration: generationOf(seq),
    channelStatuses: built.channels.map((c) => ({ channel: c.ref, ready: c.ready })),
    subscriptionStatuses: built.subscriptions.map((s) => ({ subscription: s.ref, ready: s.ready })),
  };
  delete status.address;
  if (address) status.address = { name: "http", url: address };
  status.conditions = conditions(previous.conditions, built, address, world.now);
  return { ...built.result, status };
};

export const reconcileParallel: Reconciler = (obj, world) => {
  const p = obj as Parallel;
  const built = build(p, world, parallelChildren(p));
  const previous = p.status ?? {};
  const address = built.channels[0]?.live?.status?.address?.url;
  const [ingress, ...branchChannels] = built.channels;
  const status: ParallelStatus = {
    ...previous,
    observedGeneration: generationOf(p),
    ingressChannelStatus: { channel: ingress.ref, ready: ingress.ready },
    branchStatuses: branchChannels.map((c, i) => ({
      filterSubscriptionStatus: { subscription: built.subscriptions[2 * i].ref, ready: built.subscriptions[2 * i].ready },
      filterChannelStatus: { channel: c.ref, ready: c.ready },
      subscriberSubscriptionStatus: { subscription: built.subscriptions[2 * i + 1].ref, ready: built.subscriptions[2 * i + 1].ready },
    })),
  };
  delete status.address;
  if (address) status.address = { name: "http", url: address };
  status.conditions = conditions(previous.conditions, built, address, world.now);
  return { ...built.result, status };
};
