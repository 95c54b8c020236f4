// The routing table: what the ingress needs to send a request from a Host to a revision's isolate.
// Built by a pure function from Routes, DomainMappings and Revisions; cached in the router with a version.

export interface WeightedTarget {
  /** Revision name in the route's namespace. */
  revision: string;
  /** Share of traffic, 1..100; the targets of one host add up to 100. */
  percent: number;
}

export interface HostRoute {
  namespace: string;
  /** Route name (or DomainMapping name for mapped hosts). */
  route: string;
  targets: WeightedTarget[];
}

export interface RevisionTarget {
  namespace: string;
  name: string;
  service?: string;
  configuration: string;
  /** Worker script: name and digest ("sha256:<hex>"); absent for pod revisions. */
  scriptName?: string;
  digest?: string;
  /** A pod revision's Service in the cluster and its ready pods, as the Kubernetes bridge reports them. */
  pod?: { url: string; readyReplicas: number };
  /** Container image as written (for messages about pod revisions). */
  image: string;
  env: Record<string, string>;
  timeoutSeconds: number;
  containerConcurrency: number;
  ready: boolean;
  annotations: Record<string, string>;
}

export interface RoutingTable {
  version: number;
  /** Keyed by normalised host: lower case, no port, no trailing dot. */
  hosts: Record<string, HostRoute>;
  /** Keyed by `${namespace}/${name}`. */
  revisions: Record<string, RevisionTarget>;
  /** config-autoscaler data, for the activators. */
  autoscaler?: Record<string, string>;
}

export function revisionKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}
