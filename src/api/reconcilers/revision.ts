// Revision: readiness from what the runtime knows. A worker:// image resolves to a pinned script
// digest; the runtime then loads and probes the isolate. Any other image needs the Kubernetes bridge.

import type { Revision, RevisionStatus } from "../types.ts";
import type { Reconciler } from "./world.ts";
import { makePodAutoscaler } from "../resources/podautoscaler.ts";
import { generationOf, livingConditions, markFalse, markTrue, markUnknown, type Mark } from "./conditions.ts";

const DEPENDENTS = ["ResourcesAvailable", "ContainerHealthy"] as const;
const DEFAULT_CONTAINER_NAME = "user-container";

export const reconcileRevision: Reconciler = (obj, world) => {
  const rev = obj as Revision;
  const previous = rev.status ?? {};
  const container = rev.spec?.containers?.[0];
  const containerName = container?.name || DEFAULT_CONTAINER_NAME;
  let containerStatuses = previous.containerStatuses;
  let marks: { ResourcesAvailable: Mark; ContainerHealthy: Mark };

  const resolution = container ? world.resolveImage(container.image) : { kind: "error" as const, reason: "ContainerMissing", message: "the revision has no container" };
  if (resolution.kind === "error") {
    // Knative reports an image it cannot fetch on ContainerHealthy, leaving ResourcesAvailable undecided.
    marks = { ResourcesAvailable: markUnknown(), ContainerHealthy: markFalse(resolution.reason || "ContainerMissing", resolution.message) };
  } else if (resolution.kind === "pod" && !world.podRuntimeAvailable) {
    containerStatuses = [{ name: containerName }];
    const message = `image "${resolution.image}" is not a worker:// image and no Kubernetes bridge is connected to run it as a pod`;
    marks = { ResourcesAvailable: markFalse("PodRuntimeUnavailable", message), ContainerHealthy: markUnknown() };
  } else {
    containerStatuses = resolution.kind === "worker"
      ? [{ name: containerName, imageDigest: `worker://${resolution.scriptName}@${resolution.digest}` }]
      : (previous.containerStatuses ?? [{ name: containerName }]);
    marks = runtimeMarks(world.revisionRuntime(rev.metadata.namespace!, rev.metadata.name!)?.load);
  }

  const status: RevisionStatus = {
    ...previous,
    observedGeneration: generationOf(rev),
    conditions: livingConditions(previous.conditions, marks, DEPENDENTS, world.now),
    containerStatuses,
  };
  if (!status.containerStatuses) delete status.containerStatuses;
  const scale = world.revisionRuntime(rev.metadata.namespace!, rev.metadata.name!)?.scale;
  if (scale) {
    status.actualReplicas = scale.actual;
    status.desiredReplicas = scale.desired;
  }
  return { status, upsert: [makePodAutoscaler(rev)] };
};

function runtimeMarks(load: { ok: true } | { ok: false; reason: string; message: string } | undefined) {
  if (!load) return { ResourcesAvailable: markUnknown("Deploying"), ContainerHealthy: markUnknown("Deploying") };
  if (load.ok) return { ResourcesAvailable: markTrue(), ContainerHealthy: markTrue() };
  const failed = markFalse(load.reason, load.message);
  return { ResourcesAvailable: failed, ContainerHealthy: failed };
}
