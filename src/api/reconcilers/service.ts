// Service: owns a Configuration and a Route of the same name and reflects their status. A child's
// status is only taken over once the child has observed its latest spec (Knative's "OutOfDate").

import type { Condition, Configuration, Route, Service, ServiceStatus, TrafficTarget } from "../types.ts";
import type { KObject } from "../types.ts";
import type { ReconcileResult, Reconciler, World } from "./world.ts";
import { generationOf, getCondition, hasObservedGeneration, livingConditions, markFalse, markUnknown, type Mark } from "./conditions.ts";
import { makeConfiguration } from "../resources/configuration.ts";
import { makeRoute } from "../resources/route.ts";
import { isControlledBy, sameJson } from "../resources/owner.ts";
import { CONFIGURATION_GENERATION_LABEL } from "../resources/labels.ts";

const DEPENDENTS = ["ConfigurationsReady", "RoutesReady"] as const;

export const reconcileService: Reconciler = (obj, world) => {
  const svc = obj as Service;
  const ns = svc.metadata.namespace;
  const name = svc.metadata.name!;
  const previous = svc.status ?? {};
  const status: ServiceStatus = { ...previous, observedGeneration: generationOf(svc) };
  const result: ReconcileResult = { upsert: [] };
  const marks: Record<string, Mark> = {
    ConfigurationsReady: previousMark(previous.conditions, "ConfigurationsReady"),
    RoutesReady: previousMark(previous.conditions, "RoutesReady"),
  };
  const finish = () => {
    status.conditions = livingConditions(previous.conditions, marks, DEPENDENTS, world.now);
    result.status = status;
    return result;
  };

  const desiredConfig = makeConfiguration(svc);
  const config = world.get<Configuration>("configurations.serving.knative.dev", ns, name);
  if (config && !isControlledBy(config, svc)) {
    marks.ConfigurationsReady = markFalse("NotOwned", `There is an existing Configuration "${name}" that we do not own.`);
    return finish();
  }
  result.upsert!.push(desiredConfig);
  const configCurrent = !!config && sameChild(config, desiredConfig) && hasObservedGeneration(config);
  if (configCurrent) {
    status.latestCreatedRevisionName = config.status?.latestCreatedRevisionName;
    status.latestReadyRevisionName = config.status?.latestReadyRevisionName;
    marks.ConfigurationsReady = propagated(getCondition(config, "Ready"), marks.ConfigurationsReady);
  } else {
    marks.ConfigurationsReady = markUnknown("OutOfDate", "The Configuration is still working to reflect the latest desired specification.");
    // A template-named revision must exist before the Route may point at it: wait for the Configuration.
    if (svc.spec?.template?.metadata?.name) return finish();
  }

  const byoName = svc.spec?.template?.metadata?.name;
  if (byoName && config && revisionNameTaken(byoName, config, world)) {
    marks.RoutesReady = markFalse("RevisionNameTaken", `The revision name "${byoName}" is taken by a conflicting Revision, so traffic will not be migrated`);
    return finish();
  }

  const desiredRoute = makeRoute(svc);
  const route = world.get<Route>("routes.serving.knative.dev", ns, name);
  if (route && !isControlledBy(route, svc)) {
    marks.RoutesReady = markFalse("NotOwned", `There is an existing Route "${name}" that we do not own.`);
    return finish();
  }
  result.upsert!.push(desiredRoute);
  if (!route || !sameChild(route, desiredRoute) || !hasObservedGeneration(route)) {
    marks.RoutesReady = markUnknown("OutOfDate", "The Route is still working to reflect the latest desired specification.");
    return finish();
  }
  status.url = route.status?.url;
  status.address = route.status?.address;
  status.traffic = route.status?.traffic;
  marks.RoutesReady = propagated(getCondition(route, "Ready"), marks.RoutesReady);
  if (marks.RoutesReady.status === "True" && config && !trafficMigrated(route, config)) {
    marks.RoutesReady = markUnknown("TrafficNotMigrated", "Traffic is not yet migrated to the latest revision.");
  }
  return finish();
};

function previousMark(conditions: Condition[] | undefined, type: string): Mark {
  const c = conditions?.find((x) => x.type === type);
  return c ? { status: c.status, reason: c.reason, message: c.message } : markUnknown();
}

/** A child's Ready condition as the Service's; without one the Service keeps what it had. */
function propagated(ready: Condition | undefined, fallback: Mark): Mark {
  return ready ? { status: ready.status, reason: ready.reason, message: ready.message } : fallback;
}

/** Whether the stored child already has the content the Service wants (else it is about to change). */
function sameChild(current: KObject, desired: KObject): boolean {
  return sameJson(current.spec, desired.spec) && sameJson(current.metadata.labels ?? {}, desired.metadata.labels ?? {});
}

/** Knative's CheckNameAvailability: the named Revision exists but is not this generation's. */
function revisionNameTaken(name: string, config: Configuration, world: World): boolean {
  const rev = world.get("revisions.serving.knative.dev", config.metadata.namespace, name);
  if (!rev) return false;
  if (!isControlledBy(rev, config)) return true;
  if (rev.metadata.labels?.[CONFIGURATION_GENERATION_LABEL] === String(generationOf(config))) return false;
  return !sameJson(config.spec?.template?.spec, rev.spec);
}

/** Knative's checkRoutesNotReady: the Route's resolved traffic matches its spec with the latest ready revision filled in. */
function trafficMigrated(route: Route, config: Configuration): boolean {
  const want = route.spec?.traffic ?? [];
  const got = route.status?.traffic ?? [];
  if (want.length !== got.length) return false;
  const key = (t: TrafficTarget) => JSON.stringify([t.tag ?? "", t.revisionName ?? "", t.configurationName ?? "", t.percent ?? 0]);
  return want.every((w, i) => {
    const expected = w.configurationName === config.metadata.name
      ? { ...w, revisionName: config.status?.latestReadyRevisionName, configurationName: undefined }
      : w;
    return key(expected) === key(got[i]);
  });
}
