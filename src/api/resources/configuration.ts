// The Configuration a Service owns: same name, the Service's template, Knative's service labels.

import type { Configuration, Service } from "../types.ts";
import { API_VERSION } from "../kinds.ts";
import { LAST_APPLIED_ANNOTATION, ROLLOUT_DURATION_ANNOTATIONS, SERVICE_LABEL, SERVICE_UID_LABEL, withoutKeys } from "./labels.ts";
import { clone, controllerRef } from "./owner.ts";

export function makeConfiguration(service: Service): Configuration {
  const labels: Record<string, string> = { ...service.metadata.labels, [SERVICE_LABEL]: service.metadata.name! };
  if (service.metadata.uid) labels[SERVICE_UID_LABEL] = service.metadata.uid;
  return {
    apiVersion: API_VERSION.configuration,
    kind: "Configuration",
    metadata: {
      name: service.metadata.name,
      namespace: service.metadata.namespace,
      labels,
      annotations: withoutKeys(service.metadata.annotations, [LAST_APPLIED_ANNOTATION, ...ROLLOUT_DURATION_ANNOTATIONS]),
      ownerReferences: [controllerRef(service)],
    },
    // Validation requires a template; a missing one still yields a Configuration that reports the problem.
    spec: { template: clone(service.spec?.template ?? { spec: { containers: [] } }) },
  };
}
