// The channels and subscriptions a Sequence or a Parallel is made of, named as Knative names them, as
// pure functions of the flow object. Knit backs every flow channel with an InMemoryChannel (durable here).

import type { Destination, DeliverySpec, InMemoryChannel, KObject, Parallel, Sequence, Subscription } from "../types.ts";
import { API_VERSION } from "../kinds.ts";
import { controllerRef } from "./owner.ts";

export function sequenceChannelName(sequence: string, step: number): string {
  return `${sequence}-kn-sequence-${step}`;
}

export function parallelIngressName(parallel: string): string {
  return `${parallel}-kn-parallel`;
}

export function parallelBranchName(parallel: string, branch: number): string {
  return `${parallel}-kn-parallel-${branch}`;
}

export function parallelFilterName(parallel: string, branch: number): string {
  return `${parallel}-kn-parallel-filter-${branch}`;
}

export function makeChannel(owner: KObject, name: string): InMemoryChannel {
  return {
    apiVersion: API_VERSION.inMemoryChannel,
    kind: "InMemoryChannel",
    metadata: { name, namespace: owner.metadata.namespace, ownerReferences: [controllerRef(owner)] },
    spec: {},
  };
}

function channelRef(name: string): Destination {
  return { ref: { apiVersion: API_VERSION.inMemoryChannel, kind: "InMemoryChannel", name } };
}

export function makeSubscription(owner: KObject, name: string, channel: string, subscriber: Destination | undefined, reply: Destination | undefined, delivery?: DeliverySpec): Subscription {
  return {
    apiVersion: API_VERSION.subscription,
    kind: "Subscription",
    metadata: { name, namespace: owner.metadata.namespace, ownerReferences: [controllerRef(owner)] },
    spec: {
      channel: { apiVersion: API_VERSION.inMemoryChannel, kind: "InMemoryChannel", name: channel },
      ...(subscriber ? { subscriber } : {}),
      ...(reply ? { reply } : {}),
      ...(delivery ? { delivery } : {}),
    },
  };
}

/** Step i's channel feeds step i's subscriber, whose reply goes to channel i+1; the last step's to spec.reply. */
export function sequenceChildren(seq: Sequence): { channels: InMemoryChannel[]; subscriptions: Subscription[] } {
  const name = seq.metadata.name!;
  const steps = seq.spec?.steps ?? [];
  const channels = steps.map((_, i) => makeChannel(seq, sequenceChannelName(name, i)));
  const subscriptions = steps.map((step, i) => {
    const { delivery, ...subscriber } = step;
    const reply = i < steps.length - 1 ? channelRef(sequenceChannelName(name, i + 1)) : seq.spec?.reply;
    return makeSubscription(seq, sequenceChannelName(name, i), sequenceChannelName(name, i), subscriber, reply, delivery);
  });
  return { channels, subscriptions };
}

/**
 * The ingress channel fans out to one filter subscription per branch, which passes what its filter
 * returns (or everything, without a filter) to the branch's channel; the branch's subscriber replies to
 * the branch's reply, else the Parallel's.
 */
export function parallelChildren(p: Parallel): { channels: InMemoryChannel[]; subscriptions: Subscription[] } {
  const name = p.metadata.name!;
  const branches = p.spec?.branches ?? [];
  const channels = [makeChannel(p, parallelIngressName(name)), ...branches.map((_, i) => makeChannel(p, parallelBranchName(name, i)))];
  const subscriptions = branches.flatMap((b, i) => [
    makeSubscription(p, parallelFilterName(name, i), parallelIngressName(name), b.filter, channelRef(parallelBranchName(name, i))),
    makeSubscription(p, parallelBranchName(name, i), parallelBranchName(name, i), b.subscriber, b.reply ?? p.spec?.reply, b.delivery),
  ]);
  return { channels, subscriptions };
}
