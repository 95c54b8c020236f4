// Knative's defaulting webhook: what a stored object carries that the user did not write.

import type { KObject, RevisionTemplateSpec, ServiceSpec, TrafficTarget } from "../types.ts";
import type { ServingConfig } from "../config/serving-config.ts";
import type { StoreKey } from "../reconcilers/world.ts";

function defaultTemplate(t: RevisionTemplateSpec | undefined, config: ServingConfig): RevisionTemplateSpec | undefined {
  if (!t?.spec) return t;
  const containers = (t.spec.containers ?? []).map((c, i, all) => (c.name || all.length > 1 ? c : { ...c, name: "user-container" }))
    .map((c) => ({ ...c, readinessProbe: c.readinessProbe ?? { successThreshold: 1, tcpSocket: { port: 0 } } }));
  return {
    ...t,
    spec: {
      ...t.spec,
      containers,
      containerConcurrency: t.spec.containerConcurrency ?? config.defaults.containerConcurrency,
      timeoutSeconds: t.spec.timeoutSeconds ?? config.defaults.revisionTimeoutSeconds,
    },
  };
}

function defaultTraffic(traffic: TrafficTarget[] | undefined): TrafficTarget[] | undefined {
  return traffic?.map((t) => (t.revisionName && t.latestRevision === undefined ? { ...t, latestRevision: false } : t));
}

export function setDefaults(key: StoreKey, obj: KObject, config: ServingConfig): KObject {
  const spec = obj.spec as ServiceSpec | undefined;
  switch (key) {
    case "services.serving.knative.dev":
      return {
        ...obj,
        spec: {
          ...spec,
          template: defaultTemplate(spec?.template, config),
          traffic: defaultTraffic(spec?.traffic) ?? [{ latestRevision: true, percent: 100 }],
        },
      };
    case "configurations.serving.knative.dev":
      return { ...obj, spec: { ...spec, template: defaultTemplate(spec?.template, config) } };
    case "routes.serving.knative.dev":
      return { ...obj, spec: { ...spec, traffic: defaultTraffic(spec?.traffic) } };
    case "brokers.eventing.knative.dev":
      // Knative's webhook names the broker class; Knit serves every class with its durable broker.
      return { ...obj, metadata: { ...obj.metadata, annotations: { "eventing.knative.dev/broker.class": "MTChannelBasedBroker", ...obj.metadata.annotations } } };
    case "triggers.eventing.knative.dev": {
      const broker = (obj.spec as { broker?: string } | undefined)?.broker;
      return broker ? { ...obj, metadata: { ...obj.metadata, labels: { ...obj.metadata.labels, "eventing.knative.dev/broker": broker } } } : obj;
    }
    case "namespaces":
      return {
        ...obj,
        metadata: { ...obj.metadata, labels: { ...obj.metadata.labels, "kubernetes.io/metadata.name": obj.metadata.name ?? "" } },
        spec: { finalizers: ["kubernetes"], ...(obj.spec as object) },
        status: { phase: "Active" },
      };
    default:
      return obj;
  }
}
