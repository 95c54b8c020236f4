// PodAutoscaler: desiredScale/actualScale as the autoscaler last reported them for its Revision, with
// Knative's Active condition (False, NoTraffic, at zero) and Ready following it.

import type { PodAutoscaler, PodAutoscalerStatus } from "../types.ts";
import type { Reconciler } from "./world.ts";
import { generationOf, livingConditions, markFalse, markTrue, markUnknown } from "./conditions.ts";

export const reconcilePodAutoscaler: Reconciler = (obj, world) => {
  const pa = obj as PodAutoscaler;
  const previous = pa.status ?? {};
  const scale = world.revisionRuntime(pa.metadata.namespace!, pa.metadata.name!)?.scale;
  const active = !scale
    ? markUnknown("Queued", "Requests to the target are being buffered as resources are provisioned.")
    : scale.actual > 0
      ? markTrue()
      : markFalse("NoTraffic", "The target is not receiving traffic.");
  const status: PodAutoscalerStatus = {
    ...previous,
    observedGeneration: generationOf(pa),
    serviceName: pa.metadata.name,
    metricsServiceName: `${pa.metadata.name}-private`,
    conditions: livingConditions(previous.conditions, { Active: active }, ["Active"] as const, world.now),
  };
  if (scale) {
    status.desiredScale = scale.desired;
    status.actualScale = scale.actual;
  }
  return { status };
};
