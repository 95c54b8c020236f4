// The kinds the API serves: names, short names and Knative's printer columns.
// Discovery, OpenAPI, Table output and storage all read this one list.

export interface PrinterColumn {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  jsonPath: string;
  priority?: number;
  description?: string;
}

export interface KindInfo {
  group: string; // "" for the core group
  version: string;
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  namespaced: boolean;
  categories: string[];
  columns: PrinterColumn[];
  /** True when the object has a status subresource. */
  statusSubresource: boolean;
  /** Version stored and served as the storage form (other versions are converted). */
  storageVersion?: string;
  /** True when the kind has a scale subresource (Deployments in cluster mode). */
  scaleSubresource?: boolean;
  /** True for kinds a CustomResourceDefinition declared (cluster mode). */
  custom?: boolean;
}

const ready: PrinterColumn[] = [
  { name: "Ready", type: "string", jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
  { name: "Reason", type: "string", jsonPath: '.status.conditions[?(@.type=="Ready")].reason' },
];

const age: PrinterColumn = { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" };

const serving = "serving.knative.dev";
const knativeCategories = ["all", "knative", "serving"];
const eventing = "eventing.knative.dev";
const eventingCategories = ["all", "knative", "eventing"];
const messaging = "messaging.knative.dev";
const flows = "flows.knative.dev";
const sources = "sources.knative.dev";

export const KINDS: KindInfo[] = [
  {
    group: serving, version: "v1", kind: "Service", plural: "services", singular: "service",
    shortNames: ["kservice", "ksvc"], namespaced: true, categories: knativeCategories, statusSubresource: true,
    columns: [
      { name: "URL", type: "string", jsonPath: ".status.url" },
      { name: "LatestCreated", type: "string", jsonPath: ".status.latestCreatedRevisionName" },
      { name: "LatestReady", type: "string", jsonPath: ".status.latestReadyRevisionName" },
      ...ready,
    ],
  },
  {
    group: serving, version: "v1alpha1", kind: "Service", plural: "services", singular: "service",
    shortNames: ["kservice", "ksvc"], namespaced: true, categories: knativeCategories, statusSubresource: true,
    storageVersion: "v1",
    columns: [
      { name: "URL", type: "string", jsonPath: ".status.url" },
      { name: "LatestCreated", type: "string", jsonPath: ".status.latestCreatedRevisionName" },
      { name: "LatestReady", type: "string", jsonPath: ".status.latestReadyRevisionName" },
      ...ready,
    ],
  },
  {
    group: serving, version: "v1", kind: "Configuration", plural: "configurations", singular: "configuration",
    shortNames: ["config", "cfg"], namespaced: true, categories: knativeCategories, statusSubresource: true,
    columns: [
      { name: "LatestCreated", type: "string", jsonPath: ".status.latestCreatedRevisionName" },
      { name: "LatestReady", type: "string", jsonPath: ".status.latestReadyRevisionName" },
      ...ready,
    ],
  },
  {
    group: serving, version: "v1", kind: "Revision", plural: "revisions", singular: "revision",
    shortNames: ["rev"], namespaced: true, categories: knativeCategories, statusSubresource: true,
    columns: [
      { name: "Config Name", type: "string", jsonPath: ".metadata.labels['serving\\.knative\\.dev/configuration']" },
      { name: "Generation", type: "string", jsonPath: ".metadata.labels['serving\\.knative\\.dev/configurationGeneration']" },
      ...ready,
      { name: "Actual Replicas", type: "integer", jsonPath: ".status.actualReplicas" },
      { name: "Desired Replicas", type: "integer", jsonPath: ".status.desiredReplicas" },
    ],
  },
  {
    group: serving, version: "v1", kind: "Route", plural: "routes", singular: "route",
    shortNames: ["rt"], namespaced: true, categories: knativeCategories, statusSubresource: true,
    columns: [{ name: "URL", type: "string", jsonPath: ".status.url" }, ...ready],
  },
  {
    group: serving, version: "v1beta1", kind: "DomainMapping", plural: "domainmappings", singular: "domainmapping",
    shortNames: ["dm"], namespaced: true, categories: knativeCategories, statusSubresource: true,
    columns: [{ name: "URL", type: "string", jsonPath: ".status.url" }, ...ready],
  },
  {
    group: "networking.internal.knative.dev", version: "v1alpha1", kind: "ClusterDomainClaim",
    plural: "clusterdomainclaims", singular: "clusterdomainclaim", shortNames: ["cdc"], namespaced: false,
    categories: ["knative-internal", "networking"], statusSubresource: false,
    columns: [{ name: "Namespace", type: "string", jsonPath: ".spec.namespace" }],
  },
  {
    group: "autoscaling.internal.knative.dev", version: "v1alpha1", kind: "PodAutoscaler",
    plural: "podautoscalers", singular: "podautoscaler", shortNames: ["kpa", "pa"], namespaced: true,
    categories: ["knative-internal", "autoscaling"], statusSubresource: true,
    columns: [
      { name: "DesiredScale", type: "integer", jsonPath: ".status.desiredScale" },
      { name: "ActualScale", type: "integer", jsonPath: ".status.actualScale" },
      ...ready,
    ],
  },
  {
    group: eventing, version: "v1", kind: "Broker", plural: "brokers", singular: "broker",
    shortNames: [], namespaced: true, categories: eventingCategories, statusSubresource: true,
    columns: [{ name: "URL", type: "string", jsonPath: ".status.address.url" }, age, ...ready],
  },
  {
    group: eventing, version: "v1", kind: "Trigger", plural: "triggers", singular: "trigger",
    shortNames: [], namespaced: true, categories: eventingCategories, statusSubresource: true,
    columns: [
      { name: "Broker", type: "string", jsonPath: ".spec.broker" },
      { name: "Subscriber_URI", type: "string", jsonPath: ".status.subscriberUri" },
      age,
      ...ready,
    ],
  },
  {
    group: messaging, version: "v1", kind: "Channel", plural: "channels", singular: "channel",
    shortNames: ["ch"], namespaced: true, categories: ["all", "knative", "messaging"], statusSubresource: true,
    columns: [{ name: "URL", type: "string", jsonPath: ".status.address.url" }, age, ...ready],
  },
  {
    group: messaging, version: "v1", kind: "InMemoryChannel", plural: "inmemorychannels", singular: "inmemorychannel",
    shortNames: ["imc"], namespaced: true, categories: ["all", "knative", "messaging"], statusSubresource: true,
    columns: [{ name: "URL", type: "string", jsonPath: ".status.address.url" }, age, ...ready],
  },
  {
    group: messaging, version: "v1", kind: "Subscription", plural: "subscriptions", singular: "subscription",
    shortNames: ["sub"], namespaced: true, categories: ["all", "knative", "messaging"], statusSubresource: true,
    columns: [age, ...ready],
  },
  {
    group: flows, version: "v1", kind: "Sequence", plural: "sequences", singular: "sequence",
    shortNames: [], namespaced: true, categories: ["all", "knative", "flows"], statusSubresource: true,
    columns: [{ name: "URL", type: "string", jsonPath: ".status.address.url" }, age, ...ready],
  },
  {
    group: flows, version: "v1", kind: "Parallel", plural: "parallels", singular: "parallel",
    shortNames: [], namespaced: true, categories: ["all", "knative", "flows"], statusSubresource: true,
    columns: [{ name: "URL", type: "string", jsonPath: ".status.address.url" }, age, ...ready],
  },
  {
    group: sources, version: "v1", kind: "PingSource", plural: "pingsources", singular: "pingsource",
    shortNames: [], namespaced: true, categories: ["all", "knative", "sources"], statusSubresource: true,
    columns: [
      { name: "Sink", type: "string", jsonPath: ".status.sinkUri" },
      { name: "Schedule", type: "string", jsonPath: ".spec.schedule" },
      age,
      ...ready,
    ],
  },
  {
    group: sources, version: "v1", kind: "SinkBinding", plural: "sinkbindings", singular: "sinkbinding",
    shortNames: [], namespaced: true, categories: ["all", "knative", "sources", "bindings"], statusSubresource: true,
    columns: [{ name: "Sink", type: "string", jsonPath: ".status.sinkUri" }, age, ...ready],
  },
  {
    group: sources, version: "v1", kind: "ContainerSource", plural: "containersources", singular: "containersource",
    shortNames: [], namespaced: true, categories: ["all", "knative", "sources"], statusSubresource: true,
    columns: [{ name: "Sink", type: "string", jsonPath: ".status.sinkUri" }, age, ...ready],
  },
  {
    group: sources, version: "v1", kind: "ApiServerSource", plural: "apiserversources", singular: "apiserversource",
    shortNames: [], namespaced: true, categories: ["all", "knative", "sources"], statusSubresource: true,
    columns: [{ name: "Sink", type: "string", jsonPath: ".status.sinkUri" }, age, ...ready],
  },
  {
    group: "", version: "v1", kind: "ConfigMap", plural: "configmaps", singular: "configmap",
    shortNames: ["cm"], namespaced: true, categories: [], statusSubresource: false,
    columns: [{ name: "Data", type: "integer", jsonPath: ".data" }],
  },
  {
    group: "", version: "v1", kind: "Namespace", plural: "namespaces", singular: "namespace",
    shortNames: ["ns"], namespaced: false, categories: [], statusSubresource: true,
    columns: [{ name: "Status", type: "string", jsonPath: ".status.phase" }],
  },
];

/** apiVersion string ("v1" or "group/version") of a kind. */
export function apiVersionOf(k: KindInfo): string {
  return k.group ? `${k.group}/${k.version}` : k.version;
}

/** Storage key of a kind: the group and plural, version-independent ("services.serving.knative.dev"). */
export function storageKey(k: KindInfo): string {
  return k.group ? `${k.plural}.${k.group}` : k.plural;
}

export function findKind(group: string, version: string, plural: string): KindInfo | undefined {
  return KINDS.find((k) => k.group === group && k.version === version && k.plural === plural);
}

export function findKindByApiVersion(apiVersion: string, kind: string): KindInfo | undefined {
  return KINDS.find((k) => apiVersionOf(k) === apiVersion && k.kind === kind);
}

/** The stored (canonical) form of a kind: the entry whose version is the storage version. */
export function storageKindOf(k: KindInfo): KindInfo {
  if (!k.storageVersion) return k;
  return KINDS.find((s) => s.group === k.group && s.plural === k.plural && s.version === k.storageVersion) ?? k;
}

export const SERVING_GROUP = serving;
export const API_VERSION = {
  service: `${serving}/v1`,
  configuration: `${serving}/v1`,
  revision: `${serving}/v1`,
  route: `${serving}/v1`,
  domainMapping: `${serving}/v1beta1`,
  clusterDomainClaim: "networking.internal.knative.dev/v1alpha1",
  podAutoscaler: "autoscaling.internal.knative.dev/v1alpha1",
  broker: `${eventing}/v1`,
  trigger: `${eventing}/v1`,
  channel: `${messaging}/v1`,
  inMemoryChannel: `${messaging}/v1`,
  subscription: `${messaging}/v1`,
  sequence: `${flows}/v1`,
  parallel: `${flows}/v1`,
} as const;
