// Subscription: connects a channel to a subscriber, and the subscriber's replies to `reply`.
// Its physicalSubscription carries the resolved URLs the channel's event log delivers to.

import type { Channel, Subscription, SubscriptionStatus } from "../types.ts";
import type { Reconciler, StoreKey } from "./world.ts";
import { generationOf, isReady, livingConditions, markFalse, markTrue, markUnknown, type Mark } from "./conditions.ts";
import { resolveDestination } from "./addressable.ts";
import { IMCS } from "./channel.ts";

const CHANNELS: StoreKey = "channels.messaging.knative.dev";
const DEPENDENTS = ["AddedToChannel", "ChannelReady", "ReferencesResolved"] as const;

export const reconcileSubscription: Reconciler = (obj, world) => {
  const sub = obj as Subscription;
  const ns = sub.metadata.namespace!;
  const previous = sub.status ?? {};
  const status: SubscriptionStatus = { ...previous, observedGeneration: generationOf(sub) };
  const ref = sub.spec?.channel;
  const channelKey = ref?.kind === "Channel" ? CHANNELS : ref?.kind === "InMemoryChannel" ? IMCS : undefined;
  const channel = channelKey && ref ? world.get<Channel>(channelKey, ns, ref.name) : undefined;

  const problems: string[] = [];
  if (!channelKey) problems.push(`channel kind ${ref?.kind ?? "(none)"} is not a channel Knit serves (Channel or InMemoryChannel)`);
  else if (!channel) problems.push(`channel ${ns}/${ref!.name} not found`);
  const physical: NonNullable<SubscriptionStatus["physicalSubscription"]> = {};
  for (const [field, dest] of [["subscriberUri", sub.spec?.subscriber], ["replyUri", sub.spec?.reply]] as const) {
    if (!dest) continue;
    const r = resolveDestination(dest, ns, world);
    if (r.ok) physical[field] = r.uri;
    else problems.push(`${field === "subscriberUri" ? "subscriber" : "reply"}: ${r.message}`);
  }
  const sink = sub.spec?.delivery?.deadLetterSink ?? channel?.spec?.delivery?.deadLetterSink;
  if (sink) {
    const r = resolveDestination(sink, ns, world);
    if (r.ok) physical.deadLetterSinkUri = r.uri;
    else problems.push(`deadLetterSink: ${r.message}`);
  }
  status.physicalSubscription = physical;

  const resolved: Mark = problems.length ? markFalse("ReferencesNotResolved", problems.join("; ")) : markTrue();
  const channelReady: Mark = !channel ? markUnknown("ChannelNotFound", "the channel does not exist yet")
    : isReady(channel) ? markTrue() : markUnknown("ChannelNotReady", "the channel is not ready");
  status.conditions = livingConditions(previous.conditions, {
    ReferencesResolved: resolved,
    AddedToChannel: channel && !problems.length ? markTrue() : markUnknown("NotAddedToChannel", "the subscription is not in the channel yet"),
    ChannelReady: channelReady,
  }, DEPENDENTS, world.now);
  return { status };
};
