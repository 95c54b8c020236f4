// Event-log configurations as pure functions of the objects: a Broker's from its Triggers, a channel's
// from its Subscriptions. A subscription takes part once its URLs have resolved; its delivery spec, or
// else its Broker's or channel's, applies.

import type { Broker, InMemoryChannel, Subscription, Trigger } from "../types.ts";
import type { LogConfig } from "../../eventing/log-config.ts";
import { subscribesTo } from "../reconcilers/channel.ts";
import { getCondition } from "../reconcilers/conditions.ts";

export function brokerLogConfigs(brokers: Broker[], triggers: Trigger[]): LogConfig[] {
  return brokers.map((broker) => {
    const ns = broker.metadata.namespace!;
    const name = broker.metadata.name!;
    const targets = triggers
      .filter((t) => t.metadata.namespace === ns && t.spec?.broker === name && t.status?.subscriberUri)
      .sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!))
      .map((t) => {
        const delivery = t.spec!.delivery ?? broker.spec?.delivery;
        return {
          id: `${ns}/${t.metadata.name}`,
          ...(t.spec!.filter ? { filter: t.spec!.filter } : {}),
          ...(t.spec!.filters?.length ? { filters: t.spec!.filters } : {}),
          subscriberUri: t.status!.subscriberUri!,
          reply: "self",
          ...(delivery ? { delivery } : {}),
          ...(t.status?.deadLetterSinkUri ? { deadLetterSinkUri: t.status.deadLetterSinkUri } : {}),
        };
      });
    return { kind: "broker" as const, namespace: ns, name, targets };
  });
}

/**
 * Channels' event-log configurations: one per InMemoryChannel (a Channel's backing channel shares its
 * name, so subscriptions to either land here). A subscription without a subscriber sends straight to
 * its reply; a subscriber's reply goes to the subscription's reply.
 */
export function channelLogConfigs(channels: InMemoryChannel[], subscriptions: Subscription[]): LogConfig[] {
  return channels.map((channel) => {
    const ns = channel.metadata.namespace!;
    const name = channel.metadata.name!;
    const targets = subscriptions
      .filter((s) => s.metadata.namespace === ns && subscribesTo(s, name) && getCondition(s, "ReferencesResolved")?.status === "True")
      .sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!))
      .flatMap((s) => {
        const physical = s.status?.physicalSubscription ?? {};
        const first = physical.subscriberUri ?? physical.replyUri;
        if (!first) return [];
        const delivery = s.spec?.delivery ?? channel.spec?.delivery;
        const reply = physical.subscriberUri ? physical.replyUri : undefined;
        return [{
          id: `${ns}/${s.metadata.name}`,
          subscriberUri: first,
          ...(reply ? { reply } : {}),
          ...(delivery ? { delivery } : {}),
          ...(physical.deadLetterSinkUri ? { deadLetterSinkUri: physical.deadLetterSinkUri } : {}),
        }];
      });
    return { kind: "channel" as const, namespace: ns, name, targets };
  });
}
