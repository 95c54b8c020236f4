// The PodAutoscaler Knative creates for every Revision (class KPA): named after the Revision, owned by it.

import type { PodAutoscaler, Revision } from "../types.ts";
import { API_VERSION } from "../kinds.ts";
import { controllerRef } from "./owner.ts";

export const CLASS_ANNOTATION = "autoscaling.knative.dev/class";
export const KPA_CLASS = "kpa.autoscaling.knative.dev";

export function makePodAutoscaler(rev: Revision): PodAutoscaler {
  const annotations = { ...rev.metadata.annotations };
  annotations[CLASS_ANNOTATION] ??= KPA_CLASS;
  return {
    apiVersion: API_VERSION.podAutoscaler,
    kind: "PodAutoscaler",
    metadata: {
      name: rev.metadata.name,
      namespace: rev.metadata.namespace,
      labels: { ...rev.metadata.labels, "serving.knative.dev/revision": rev.metadata.name!, ...(rev.metadata.uid ? { "serving.knative.dev/revisionUID": rev.metadata.uid } : {}) },
      annotations,
      ownerReferences: [controllerRef(rev)],
    },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: `${rev.metadata.name}-deployment` },
      protocolType: "http1",
    },
  };
}
