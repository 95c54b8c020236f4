// Brokers' event-log configurations as pure functions of the Brokers and Triggers: a Trigger takes part
// once its subscriber has resolved to a URL; its delivery spec, or else its Broker's, applies.

import type { Broker, Trigger } from "../types.ts";
import type { LogConfig } from "../../eventing/log-config.ts";

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
