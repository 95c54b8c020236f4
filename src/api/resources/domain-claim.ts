// The cluster-scoped claim that lets one namespace map a domain. Like Knative, no owner reference:
// the claim is about the domain, not about one DomainMapping object.

import type { ClusterDomainClaim, DomainMapping } from "../types.ts";
import { API_VERSION } from "../kinds.ts";

export function makeClusterDomainClaim(dm: DomainMapping): ClusterDomainClaim {
  return {
    apiVersion: API_VERSION.clusterDomainClaim,
    kind: "ClusterDomainClaim",
    metadata: { name: dm.metadata.name },
    spec: { namespace: dm.metadata.namespace! },
  };
}
