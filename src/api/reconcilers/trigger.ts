// Trigger: subscribes its subscriber to its Broker's events that pass its filters. Status as Knative's:
// BrokerReady, SubscriberResolved (status.subscriberUri), DeadLetterSinkResolved, DependencyReady and
// SubscriptionReady, with Ready from them.

import type { Broker, Trigger, TriggerStatus } from "../types.ts";
import type { Reconciler } from "./world.ts";
import { generationOf, getCondition, isReady, livingConditions, markFalse, markTrue, markUnknown, type Mark } from "./conditions.ts";
import { resolveDeadLetterSink, resolveDestination } from "./addressable.ts";

const DEPENDENTS = ["BrokerReady", "DeadLetterSinkResolved", "DependencyReady", "SubscriberResolved", "SubscriptionReady"] as const;
export const BROKERS = "brokers.eventing.knative.dev" as const;

export const reconcileTrigger: Reconciler = (obj, world) => {
  const trigger = obj as Trigger;
  const ns = trigger.metadata.namespace!;
  const previous = trigger.status ?? {};
  const status: TriggerStatus = { ...previous, observedGeneration: generationOf(trigger) };
  delete status.subscriberUri;

  const brokerName = trigger.spec?.broker ?? "";
  const broker = world.get<Broker>(BROKERS, ns, brokerName);
  const brokerReady: Mark = !broker
    ? markFalse("BrokerDoesNotExist", `Broker "${brokerName}" does not exist`)
    : isReady(broker)
      ? markTrue()
      : markUnknown(getCondition(broker, "Ready")?.reason ?? "BrokerNotReady", `Broker "${brokerName}" is not ready`);

  const subscriber = resolveDestination(trigger.spec?.subscriber, ns, world);
  let subscriberResolved: Mark;
  if (subscriber.ok) {
    status.subscriberUri = subscriber.uri;
    subscriberResolved = markTrue();
  } else {
    subscriberResolved = markFalse("Unable to get the Subscriber's URI", subscriber.message);
  }

  const dls = resolveDeadLetterSink(trigger.spec?.delivery?.deadLetterSink ?? broker?.spec?.delivery?.deadLetterSink, ns, world, status);

  const subscribed = brokerReady.status === "True" && subscriber.ok;
  status.conditions = livingConditions(previous.conditions, {
    BrokerReady: brokerReady,
    DeadLetterSinkResolved: dls,
    DependencyReady: markTrue(),
    SubscriberResolved: subscriberResolved,
    SubscriptionReady: subscribed ? markTrue() : markUnknown("SubscriptionNotConfigured", "the broker's event log has no subscription for this trigger yet"),
  }, DEPENDENTS, world.now);
  return { status };
};
