// Configuration: stamps out one immutable Revision per generation and reports the latest created
// and latest ready ones. Ready follows the latest created Revision, as in Knative.

import type { Configuration, ConfigurationStatus, Revision } from "../types.ts";
import type { ReconcileResult, Reconciler, World } from "./world.ts";
import { generationOf, getCondition, isReady, markFalse, markTrue, markUnknown, setCondition, type Mark } from "./conditions.ts";
import { makeRevision, revisionNameFor } from "../resources/revision.ts";
import { CONFIGURATION_GENERATION_LABEL, CONFIGURATION_LABEL } from "../resources/labels.ts";
import { isControlledBy, sameJson } from "../resources/owner.ts";

const REVISIONS = "revisions.serving.knative.dev" as const;

export const reconcileConfiguration: Reconciler = (obj, world) => {
  const config = obj as Configuration;
  const previous = config.status ?? {};
  const generation = generationOf(config);
  const result: ReconcileResult = {};
  const status: ConfigurationStatus = { ...previous, observedGeneration: generation };
  const done = (ready: Mark) => {
    status.conditions = setCondition(previous.conditions, "Ready", ready, world.now);
    result.status = status;
    return result;
  };

  const found = latestCreatedRevision(config, generation, world);
  if ("conflict" in found) {
    return done(markFalse("RevisionFailed", `Revision creation failed with message: ${found.conflict}.`));
  }
  let latestCreated = found.revision;
  if (!latestCreated) {
    latestCreated = makeRevision(config, revisionNameFor(config, generation), generation);
    result.create = [latestCreated];
  }
  const createdName = latestCreated.metadata.name!;
  status.latestCreatedRevisionName = createdName;

  const latestReady = latestReadyRevision(config, previous.latestReadyRevisionName, world);
  if (latestReady) status.latestReadyRevisionName = latestReady;

  const createdReady = getCondition(latestCreated, "Ready");
  if (createdReady?.status === "False") {
    return done(markFalse("RevisionFailed", `Revision "${createdName}" failed with message: ${createdReady.message ?? ""}.`));
  }
  return done(status.latestReadyRevisionName === createdName ? markTrue() : markUnknown());
};

/**
 * The Revision for the current generation: the one named by the template (it must be ours and either
 * carry this generation or the same spec), or the one labelled with this generation.
 */
function latestCreatedRevision(config: Configuration, generation: number, world: World): { revision?: Revision } | { conflict: string } {
  const ns = config.metadata.namespace;
  const name = revisionNameFor(config, generation);
  const existing = world.get<Revision>(REVISIONS, ns, name);
  const conflict = { conflict: `revisions.serving.knative.dev "${name}" already exists` };
  if (existing) {
    if (!isControlledBy(existing, config)) return conflict;
    if (existing.metadata.labels?.[CONFIGURATION_GENERATION_LABEL] === String(generation)) return { revision: existing };
    if (config.spec?.template?.metadata?.name && sameJson(existing.spec, config.spec.template.spec)) return { revision: existing };
    return conflict;
  }
  // Revisions named before the naming scheme settled are still found by their labels.
  const labelled = world.list<Revision>(REVISIONS, ns).find((r) =>
    r.metadata.labels?.[CONFIGURATION_LABEL] === config.metadata.name &&
    r.metadata.labels?.[CONFIGURATION_GENERATION_LABEL] === String(generation) &&
    isControlledBy(r, config));
  return { revision: labelled };
}

/**
 * The newest Ready Revision of this Configuration (a template-named one first). Like Knative it never
 * moves backwards: only revisions at least as new as the current latest ready one are considered,
 * unless that one was deleted.
 */
function latestReadyRevision(config: Configuration, current: string | undefined, world: World): string | undefined {
  const ns = config.metadata.namespace;
  const ours = world.list<Revision>(REVISIONS, ns).filter((r) => r.metadata.labels?.[CONFIGURATION_LABEL] === config.metadata.name);
  const currentRev = current ? world.get<Revision>(REVISIONS, ns, current) : undefined;
  const floor = currentRev ? revisionGeneration(currentRev) : -Infinity;
  const byoName = config.spec?.template?.metadata?.name;
  const candidates = ours
    .filter((r) => revisionGeneration(r) >= floor || r.metadata.name === byoName)
    .sort((a, b) => {
      if (a.metadata.name === byoName) return -1;
      if (b.metadata.name === byoName) return 1;
      return revisionGeneration(b) - revisionGeneration(a);
    });
  return candidates.find((r) => isReady(r))?.metadata.name ?? (currentRev ? current : undefined);
}

function revisionGeneration(rev: Revision): number {
  const n = Number(rev.metadata.labels?.[CONFIGURATION_GENERATION_LABEL]);
  return Number.isFinite(n) ? n : 0;
}

