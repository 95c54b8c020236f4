// The Route a Service owns: same name, the Service's traffic, where every target that does not pin
// a revision follows the Service's Configuration.

import type { Route, Service, TrafficTarget } from "../types.ts";
import { API_VERSION } from "../kinds.ts";
import { LAST_APPLIED_ANNOTATION, SERVICE_LABEL, withoutKeys } from "./labels.ts";
import { clone, controllerRef } from "./owner.ts";

export function makeRoute(service: Service): Route {
  const name = service.metadata.name!;
  // Defaulting normally fills this in; without it a Service still routes everything to its latest revision.
  const written: TrafficTarget[] = service.spec?.traffic?.length ? clone(service.spec.traffic) : [{ latestRevision: true, percent: 100 }];
  const traffic = written.map((t) => (t.revisionName ? t : { ...t, configurationName: name }));
  return {
    apiVersion: API_VERSION.route,
    kind: "Route",
    metadata: {
      name,
      namespace: service.metadata.namespace,
      // Service labels (visibility included) carry over, so a cluster-local Service makes a cluster-local Route.
      labels: { ...service.metadata.labels, [SERVICE_LABEL]: name },
      annotations: withoutKeys(service.metadata.annotations, [LAST_APPLIED_ANNOTATION]),
      ownerReferences: [controllerRef(service)],
    },
    spec: { traffic },
  };
}
