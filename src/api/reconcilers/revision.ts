// Revision: readiness from what the runtime knows. A worker:// image resolves to a pinned script
// digest; the runtime then loads and probes the isolate. Any other image needs the Kubernetes bridge.

import type { Revision, RevisionStatus } from "../types.ts";
import type { Reconciler } from "./world.ts";
import { makePodAutoscaler } from "../resources/podautoscaler.ts";
import { readPodReport, type PodReport } from "../pods/report.ts";
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
  } else if (resolution.kind === "pod") {
    containerStatuses = [{ name: containerName, imageDigest: resolution.image }];
    marks = podMarks(resolution.image, readPodReport(rev.metadata.annotations), world.podRuntimeAvailable);
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
  const report = resolution.kind === "pod" ? readPodReport(rev.metadata.annotations) : undefined;
  if (report) status.actualReplicas = report.readyReplicas;
  return { status, upsert: [makePodAutoscaler(rev)] };
};

/**
 * A pod revision's readiness comes from the bridge's report of its Deployment. Like Knative, a revision
 * whose pods were once available stays Ready when scaled to zero.
 */
function podMarks(image: string, report: PodReport | undefined, bridged: boolean) {
  if (!report) {
    if (!bridged) {
      const message = `image "${image}" is not a worker:// image and no Kubernetes bridge is connected to run it as a pod`;
      return { ResourcesAvailable: markFalse("PodRuntimeUnavailable", message), ContainerHealthy: markUnknown() };
    }
    return { ResourcesAvailable: markUnknown("Deploying", "waiting for the Kubernetes bridge to run the pods"), ContainerHealthy: markUnknown("Deploying") };
  }
  if (report.reason && !report.ready) {
    const failed = markFalse(report.reason, report.message ?? "");
    return { ResourcesAvailable: failed, ContainerHealthy: failed };
  }
  if (report.ready && report.url) return { ResourcesAvailable: markTrue(), ContainerHealthy: markTrue() };
  return { ResourcesAvailable: markUnknown("Deploying", "waiting for the Deployment's pods to be ready"), ContainerHealthy: markUnknown("Deploying") };
}

function runtimeMarks(load: { ok: true } | { ok: false; reason: string; message: string } | undefined) {
  if (!load) return { ResourcesAvailable: markUnknown("Deploying"), ContainerHealthy: markUnknown("Deploying") };
  if (load.ok) return { ResourcesAvailable: markTrue(), ContainerHealthy: markTrue() };
  const failed = markFalse(load.reason, load.message);
  return { ResourcesAvailable: failed, ContainerHealthy: failed };
}
