// The reconcilers by storage key, and which objects must be reconciled again when one changes.
// ClusterDomainClaim, ConfigMap and Namespace have no reconciler: they carry no status Knit computes.

import type { Broker, Configuration, Destination, DomainMapping, KObject, Revision, Route, Subscription, Trigger } from "../types.ts";
import type { ObjectRef, Reconciler, StoreKey, World } from "./world.ts";
import { reconcileService } from "./service.ts";
import { reconcileConfiguration } from "./configuration.ts";
import { reconcileRevision } from "./revision.ts";
import { reconcileRoute } from "./route.ts";
import { reconcileDomainMapping } from "./domainmapping.ts";
import { reconcilePodAutoscaler } from "./podautoscaler.ts";
import { reconcileBroker } from "./broker.ts";
import { reconcileTrigger } from "./trigger.ts";
import { refersTo } from "./addressable.ts";
import { reconcileChannel, reconcileInMemoryChannel, subscribesTo } from "./channel.ts";
import { reconcileSubscription } from "./subscription.ts";
import { reconcileParallel, reconcileSequence } from "./flows.ts";
import { reconcileApiServerSource, reconcileContainerSource, reconcilePingSource, reconcileSinkBinding } from "./sources.ts";
import { owningService } from "./route-traffic.ts";
import { CONFIGURATION_LABEL, SERVICE_LABEL } from "../resources/labels.ts";
import { controllerOf } from "../resources/owner.ts";

export const reconcilers: Partial<Record<StoreKey, Reconciler>> = {
  "services.serving.knative.dev": reconcileService,
  "configurations.serving.knative.dev": reconcileConfiguration,
  "revisions.serving.knative.dev": reconcileRevision,
  "routes.serving.knative.dev": reconcileRoute,
  "domainmappings.serving.knative.dev": reconcileDomainMapping,
  "podautoscalers.autoscaling.internal.knative.dev": reconcilePodAutoscaler,
  "brokers.eventing.knative.dev": reconcileBroker,
  "triggers.eventing.knative.dev": reconcileTrigger,
  "channels.messaging.knative.dev": reconcileChannel,
  "inmemorychannels.messaging.knative.dev": reconcileInMemoryChannel,
  "subscriptions.messaging.knative.dev": reconcileSubscription,
  "sequences.flows.knative.dev": reconcileSequence,
  "parallels.flows.knative.dev": reconcileParallel,
  "pingsources.sources.knative.dev": reconcilePingSource,
  "sinkbindings.sources.knative.dev": reconcileSinkBinding,
  "containersources.sources.knative.dev": reconcileContainerSource,
  "apiserversources.sources.knative.dev": reconcileApiServerSource,
};

export interface ChangedObject {
  key: StoreKey;
  namespace?: string;
  name: string;
  obj: KObject;
}

const SERVICES: StoreKey = "services.serving.knative.dev";
const CONFIGURATIONS: StoreKey = "configurations.serving.knative.dev";
const ROUTES: StoreKey = "routes.serving.knative.dev";
const DOMAIN_MAPPINGS: StoreKey = "domainmappings.serving.knative.dev";
const BROKERS: StoreKey = "brokers.eventing.knative.dev";
const TRIGGERS: StoreKey = "triggers.eventing.knative.dev";
const CHANNELS: StoreKey = "channels.messaging.knative.dev";
const IMCS: StoreKey = "inmemorychannels.messaging.knative.dev";
const SUBSCRIPTIONS: StoreKey = "subscriptions.messaging.knative.dev";
/** Kinds a Destination can name: who points at one must resolve its URL again when it changes. */
const ADDRESSABLES: StoreKey[] = ["services.serving.knative.dev", ROUTES, BROKERS, CHANNELS, IMCS, "sequences.flows.knative.dev", "parallels.flows.knative.dev"];
/** Source kinds: they resolve spec.sink. */
const SOURCES: StoreKey[] = ["pingsources.sources.knative.dev", "sinkbindings.sources.knative.dev", "containersources.sources.knative.dev", "apiserversources.sources.knative.dev"];
/** Kinds that own eventing children, by kind name. */
const OWNERS: Record<string, StoreKey> = { Channel: CHANNELS, Sequence: "sequences.flows.knative.dev", Parallel: "parallels.flows.knative.dev" };

/** Objects whose status depends on `changed` (not including `changed` itself). */
export function dependentsOf(changed: ChangedObject, world: World): ObjectRef[] {
  const ns = changed.namespace;
  const refs: ObjectRef[] = [];
  const add = (key: StoreKey, namespace: string | undefined, name: string | undefined) => {
    if (name && !refs.some((r) => r.key === key && r.namespace === namespace && r.name === name)) refs.push({ key, namespace, name });
  };
  const routesWhere = (match: (route: Route) => boolean) => {
    for (const route of world.list<Route>(ROUTES, ns)) if (match(route)) add(ROUTES, ns, route.metadata.name);
  };
  const mappingsTo = (kind: string, name: string) => {
    for (const dm of world.list<DomainMapping>(DOMAIN_MAPPINGS, ns)) {
      if (dm.spec?.ref?.kind === kind && dm.spec.ref.name === name) add(DOMAIN_MAPPINGS, ns, dm.metadata.name);
    }
  };

  if (ns && ADDRESSABLES.includes(changed.key)) {
    for (const t of world.list<Trigger>(TRIGGERS, ns)) {
      const spec = t.spec;
      if (refersTo(spec?.subscriber, ns, changed.key, changed.name) || refersTo(spec?.delivery?.deadLetterSink, ns, changed.key, changed.name) ||
        (changed.key === BROKERS && spec?.broker === changed.name)) add(TRIGGERS, ns, t.metadata.name);
    }
    for (const b of world.list<Broker>(BROKERS, ns)) {
      if (refersTo(b.spec?.delivery?.deadLetterSink, ns, changed.key, changed.name)) add(BROKERS, ns, b.metadata.name);
    }
    for (const sub of world.list<Subscription>(SUBSCRIPTIONS, ns)) {
      const spec = sub.spec;
      if (refersTo(spec?.subscriber, ns, changed.key, changed.name) || refersTo(spec?.reply, ns, changed.key, changed.name) ||
        refersTo(spec?.delivery?.deadLetterSink, ns, changed.key, changed.name) ||
        ((changed.key === CHANNELS || changed.key === IMCS) && subscribesTo(sub, changed.name))) add(SUBSCRIPTIONS, ns, sub.metadata.name);
    }
  }
  if (ns && ADDRESSABLES.includes(changed.key)) {
    for (const key of SOURCES) {
      for (const src of world.list<KObject<{ sink?: Destination }>>(key, ns)) {
        if (refersTo(src.spec?.sink, ns, changed.key, changed.name)) add(key, ns, src.metadata.name);
      }
    }
  }
  const owner = controllerOf(changed.obj);
  if (ns && owner && OWNERS[owner.kind]) add(OWNERS[owner.kind], ns, owner.name);
  if (ns && changed.key === SUBSCRIPTIONS) {
    const channel = (changed.obj as Subscription).spec?.channel?.name;
    add(IMCS, ns, channel);
  }

  switch (changed.key) {
    case "revisions.serving.knative.dev": {
      const rev = changed.obj as Revision;
      const configName = rev.metadata.labels?.[CONFIGURATION_LABEL] ?? ownerName(rev, "Configuration");
      add(CONFIGURATIONS, ns, configName);
      routesWhere((route) =>
        [...(route.spec?.traffic ?? []), ...(route.status?.traffic ?? [])].some((t) =>
          t.revisionName === changed.name || (!!configName && t.configurationName === configName)));
      break;
    }
    case "configurations.serving.knative.dev": {
      const config = changed.obj as Configuration;
      const service = config.metadata.labels?.[SERVICE_LABEL] ?? ownerName(config, "Service");
      add(SERVICES, ns, service);
      routesWhere((route) =>
        (!!service && owningService(route) === service) ||
        (route.spec?.traffic ?? []).some((t) => t.configurationName === changed.name));
      break;
    }
    case "routes.serving.knative.dev": {
      add(SERVICES, ns, owningService(changed.obj as Route));
      mappingsTo("Route", changed.name);
      // A Service's address is its Route's, so mappings to the Service follow the Route too.
      mappingsTo("Service", changed.name);
      break;
    }
    case "services.serving.knative.dev":
      mappingsTo("Service", changed.name);
      break;
    case "clusterdomainclaims.networking.internal.knative.dev":
      for (const dm of world.list<DomainMapping>(DOMAIN_MAPPINGS)) {
        if (dm.metadata.name === changed.name) add(DOMAIN_MAPPINGS, dm.metadata.namespace, dm.metadata.name);
      }
      break;
    case "configmaps":
      if (ns === "knative-serving") {
        for (const route of world.list<Route>(ROUTES)) add(ROUTES, route.metadata.namespace, route.metadata.name);
        for (const dm of world.list<DomainMapping>(DOMAIN_MAPPINGS)) add(DOMAIN_MAPPINGS, dm.metadata.namespace, dm.metadata.name);
      }
      break;
    default:
      break;
  }
  return refs;
}

function ownerName(obj: KObject, kind: string): string | undefined {
  const ref = controllerOf(obj);
  return ref?.kind === kind ? ref.name : undefined;
}
