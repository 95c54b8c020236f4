// What an event log (one Durable Object per Broker) needs to deliver: its subscriptions, each with
// filters, a resolved subscriber URL, where replies go, and the delivery spec. Built by the Store from
// Brokers and Triggers (src/api/resources/event-log.ts) and pushed to the log when it changes.

import type { DeliverySpec, SubscriptionsAPIFilter } from "../api/types.ts";

export interface DeliveryTarget {
  /** Stable id: the Trigger's namespace/name. */
  id: string;
  filter?: { attributes?: Record<string, string> };
  filters?: SubscriptionsAPIFilter[];
  subscriberUri: string;
  /** "self": a reply re-enters this log (a Broker); a URL: replies are delivered there; absent: dropped. */
  reply?: string;
  delivery?: DeliverySpec;
  deadLetterSinkUri?: string;
}

export interface LogConfig {
  kind: "broker" | "channel" | "source";
  namespace: string;
  name: string;
  targets: DeliveryTarget[];
}

/** The Durable Object name of a Broker's event log. */
export function brokerLogName(namespace: string, name: string): string {
  return `broker:${namespace}/${name}`;
}

/** The Durable Object name of a channel's event log (a Channel and its InMemoryChannel share one). */
export function channelLogName(namespace: string, name: string): string {
  return `channel:${namespace}/${name}`;
}
