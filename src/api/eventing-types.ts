// Knative Eventing object types (eventing, messaging, flows and sources .knative.dev/v1), with
// Knative's field names. Re-exported from types.ts, the one place modules import object shapes from.

import type { Addressable, Condition, KObject, KReference, Status } from "./types.ts";

/** duckv1.Destination: a reference to an addressable, a URI, or a URI relative to the reference. */
export interface Destination {
  ref?: KReference;
  uri?: string;
  CACerts?: string;
  audience?: string;
}

/** eventingduckv1.DeliverySpec */
export interface DeliverySpec {
  deadLetterSink?: Destination;
  retry?: number;
  backoffPolicy?: "linear" | "exponential";
  backoffDelay?: string;
  timeout?: string;
}

export interface AddressStatus extends Status {
  address?: Addressable;
  addresses?: Addressable[];
  deadLetterSinkUri?: string;
}

// ---- eventing.knative.dev/v1 ----

export interface BrokerSpec {
  config?: KReference;
  delivery?: DeliverySpec;
}
export type Broker = KObject<BrokerSpec, AddressStatus>;

/** The SubscriptionsAPI filter dialects (Trigger spec.filters). */
export interface SubscriptionsAPIFilter {
  all?: SubscriptionsAPIFilter[];
  any?: SubscriptionsAPIFilter[];
  not?: SubscriptionsAPIFilter;
  exact?: Record<string, string>;
  prefix?: Record<string, string>;
  suffix?: Record<string, string>;
  cesql?: string;
}

export interface TriggerSpec {
  broker: string;
  filter?: { attributes?: Record<string, string> };
  filters?: SubscriptionsAPIFilter[];
  subscriber: Destination;
  delivery?: DeliverySpec;
}
export interface TriggerStatus extends Status {
  subscriberUri?: string;
  deadLetterSinkUri?: string;
}
export type Trigger = KObject<TriggerSpec, TriggerStatus>;

// ---- messaging.knative.dev/v1 ----

export interface SubscriberSpec {
  uid?: string;
  generation?: number;
  subscriberUri?: string;
  replyUri?: string;
  delivery?: DeliverySpec;
}

export interface ChannelSpec {
  channelTemplate?: { apiVersion?: string; kind?: string; spec?: unknown };
  subscribers?: SubscriberSpec[];
  delivery?: DeliverySpec;
}
export interface ChannelStatus extends AddressStatus {
  channel?: KReference;
  subscribers?: { uid?: string; observedGeneration?: number; ready?: Condition["status"]; message?: string }[];
}
export type Channel = KObject<ChannelSpec, ChannelStatus>;
export type InMemoryChannel = KObject<ChannelSpec, ChannelStatus>;

export interface SubscriptionSpec {
  channel: KReference;
  subscriber?: Destination;
  reply?: Destination;
  delivery?: DeliverySpec;
}
export interface SubscriptionStatus extends Status {
  physicalSubscription?: { subscriberUri?: string; replyUri?: string; deadLetterSinkUri?: string };
}
export type Subscription = KObject<SubscriptionSpec, SubscriptionStatus>;

// ---- flows.knative.dev/v1 ----

export interface SequenceStep extends Destination {
  delivery?: DeliverySpec;
}
export interface SequenceSpec {
  steps: SequenceStep[];
  channelTemplate?: { apiVersion?: string; kind?: string; spec?: unknown };
  reply?: Destination;
}
export interface SequenceStatus extends AddressStatus {
  channelStatuses?: { channel: KReference; ready: Condition }[];
  subscriptionStatuses?: { subscription: KReference; ready: Condition }[];
}
export type Sequence = KObject<SequenceSpec, SequenceStatus>;

export interface ParallelBranch {
  filter?: Destination;
  subscriber: Destination;
  reply?: Destination;
  delivery?: DeliverySpec;
}
export interface ParallelSpec {
  branches: ParallelBranch[];
  channelTemplate?: { apiVersion?: string; kind?: string; spec?: unknown };
  reply?: Destination;
}
export interface ParallelStatus extends AddressStatus {
  ingressChannelStatus?: { channel: KReference; ready: Condition };
  branchStatuses?: {
    filterSubscriptionStatus: { subscription: KReference; ready: Condition };
    filterChannelStatus: { channel: KReference; ready: Condition };
    subscriberSubscriptionStatus: { subscription: KReference; ready: Condition };
  }[];
}
export type Parallel = KObject<ParallelSpec, ParallelStatus>;

// ---- sources.knative.dev/v1 ----

export interface SourceSpec {
  sink?: Destination;
  ceOverrides?: { extensions?: Record<string, string> };
}
export interface SourceStatus extends Status {
  sinkUri?: string;
}

export interface PingSourceSpec extends SourceSpec {
  schedule?: string;
  timezone?: string;
  contentType?: string;
  data?: string;
  dataBase64?: string;
}
export type PingSource = KObject<PingSourceSpec, SourceStatus>;

export interface BindingSubject {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name?: string;
  selector?: { matchLabels?: Record<string, string> };
}
export interface SinkBindingSpec extends SourceSpec {
  subject: BindingSubject;
}
export type SinkBinding = KObject<SinkBindingSpec, SourceStatus>;

export interface ContainerSourceSpec extends SourceSpec {
  template: { metadata?: { labels?: Record<string, string> }; spec: { containers: { name?: string; image: string; args?: string[]; env?: { name: string; value?: string }[] }[] } };
}
export interface ContainerSourceStatus extends SourceStatus {
  /** Knit: the worker the source runs, pinned to its digest. */
  image?: string;
}
export type ContainerSource = KObject<ContainerSourceSpec, ContainerSourceStatus>;

export interface ApiServerResource {
  apiVersion: string;
  kind: string;
  selector?: { matchLabels?: Record<string, string> };
}
export interface ApiServerSourceSpec extends SourceSpec {
  resources: ApiServerResource[];
  /** "Reference" (default) or "Resource". */
  mode?: string;
  owner?: { apiVersion?: string; kind?: string };
  serviceAccountName?: string;
  namespaceSelector?: { matchLabels?: Record<string, string> };
}
export type ApiServerSource = KObject<ApiServerSourceSpec, SourceStatus & { namespaces?: string[] }>;
