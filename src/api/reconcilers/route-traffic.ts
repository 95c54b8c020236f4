// Resolves a Route's traffic targets to Revisions, with Knative's target errors: a missing target
// or a failed revision is a failure (False); one that is not ready yet is Unknown. A later failure
// replaces an earlier error, so the message names the worst problem.

import type { Configuration, Revision, Route, TrafficTarget } from "../types.ts";
import type { World } from "./world.ts";
import { getCondition, isReady } from "./conditions.ts";
import { SERVICE_LABEL } from "../resources/labels.ts";
import { controllerOf } from "../resources/owner.ts";

export interface TargetProblem {
  /** True: AllTrafficAssigned=False; false: Unknown (waiting). */
  failure: boolean;
  reason: string;
  message: string;
}

export interface ResolvedTraffic {
  /** Status form: revisionName filled in, same tag/revision/latestRevision targets merged. */
  targets: TrafficTarget[];
  problem?: TargetProblem;
}

const CONFIGURATIONS = "configurations.serving.knative.dev" as const;
const REVISIONS = "revisions.serving.knative.dev" as const;

/** The Service that owns this Route, if any (by label, or by controller reference). */
export function owningService(route: Route): string | undefined {
  const ref = controllerOf(route);
  return route.metadata.labels?.[SERVICE_LABEL] ?? (ref?.kind === "Service" ? ref.name : undefined);
}

export function resolveTraffic(route: Route, world: World): ResolvedTraffic {
  const targets: TrafficTarget[] = [];
  let problem: TargetProblem | undefined;
  for (const target of route.spec?.traffic ?? []) {
    const resolved = resolveTarget(route, target, world);
    if ("problem" in resolved) {
      if (!problem || resolved.problem.failure) problem = resolved.problem;
      continue;
    }
    merge(targets, resolved.target);
  }
  return problem ? { targets: [], problem } : { targets };
}

function resolveTarget(route: Route, target: TrafficTarget, world: World): { target: TrafficTarget } | { problem: TargetProblem } {
  const ns = route.metadata.namespace;
  const latestRevision = target.latestRevision ?? !target.revisionName;
  const shaped = (revisionName: string): { target: TrafficTarget } => {
    const out: TrafficTarget = {};
    if (target.tag) out.tag = target.tag;
    out.revisionName = revisionName;
    out.latestRevision = latestRevision;
    out.percent = target.percent ?? 0;
    return { target: out };
  };

  if (target.revisionName) {
    const rev = world.get<Revision>(REVISIONS, ns, target.revisionName);
    if (!rev) return missing("Revision", target.revisionName);
    const routeService = route.metadata.labels?.[SERVICE_LABEL];
    const revService = rev.metadata.labels?.[SERVICE_LABEL];
    if (routeService && routeService !== revService) {
      const message = revService
        ? `Revision "${rev.metadata.name}" belongs to Service "${revService}", not Service "${routeService}".`
        : `Revision "${rev.metadata.name}" does not belong to Service "${routeService}".`;
      return { problem: { failure: true, reason: "RevisionNotOwned", message } };
    }
    return isReady(rev) ? shaped(rev.metadata.name!) : unready(rev);
  }

  // A latestRevision target of a Service's Route follows the Service's Configuration.
  const configName = target.configurationName ?? (latestRevision ? owningService(route) : undefined);
  if (!configName) {
    return { problem: { failure: true, reason: "ConfigurationMissing", message: "A traffic target with latestRevision: true needs a configurationName." } };
  }
  const config = world.get<Configuration>(CONFIGURATIONS, ns, configName);
  if (!config) return missing("Configuration", configName);
  const latestReady = config.status?.latestReadyRevisionName;
  if (!latestReady) {
    const failed = getCondition(config, "Ready")?.status === "False";
    const message = failed
      ? `Configuration "${configName}" does not have any ready Revision.`
      : `Configuration "${configName}" is waiting for a Revision to become ready.`;
    return { problem: { failure: failed, reason: "RevisionMissing", message } };
  }
  const rev = world.get<Revision>(REVISIONS, ns, latestReady);
  if (!rev) return missing("Revision", latestReady);
  return isReady(rev) ? shaped(rev.metadata.name!) : unready(rev);
}

function missing(kind: "Revision" | "Configuration", name: string): { problem: TargetProblem } {
  return { problem: { failure: true, reason: `${kind}Missing`, message: `${kind} "${name}" referenced in traffic not found.` } };
}

function unready(rev: Revision): { problem: TargetProblem } {
  const failed = getCondition(rev, "Ready")?.status === "False";
  const message = failed ? `Revision "${rev.metadata.name}" failed to become ready.` : `Revision "${rev.metadata.name}" is not yet ready.`;
  return { problem: { failure: failed, reason: "RevisionMissing", message } };
}

/** Targets naming the same revision under the same tag (and latestRevision) become one, as in Knative. */
function merge(targets: TrafficTarget[], next: TrafficTarget): void {
  const same = targets.find((t) => t.tag === next.tag && t.revisionName === next.revisionName && t.latestRevision === next.latestRevision);
  if (same) same.percent = (same.percent ?? 0) + (next.percent ?? 0);
  else targets.push(next);
}
