// The cluster objects that run a pod revision, built by pure functions from the Revision in Knit: an
// apps/v1 Deployment and a v1 Service with Knative's labels, and the report Knit reads back from them.

import type { Revision } from "../../../src/api/types.ts";
import { CONFIGURATION_LABEL, SERVICE_LABEL } from "../../../src/api/resources/labels.ts";
import type { PodReport } from "../../../src/api/pods/report.ts";
import { POD_REPORT_ANNOTATION } from "../../../src/api/pods/report.ts";
import { canonical } from "../canonical.ts";

export const REVISION_LABEL = "serving.knative.dev/revision";
export const REVISION_UID_LABEL = "serving.knative.dev/revisionUID";
export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const MANAGED_BY = "knit-bridge";
/** Knit enforces containerConcurrency in its activator; the Deployment records it for readers. */
export const CONTAINER_CONCURRENCY_ANNOTATION = "knit.dev/container-concurrency";
const DEFAULT_CONTAINER_NAME = "user-container";
const DEFAULT_PORT = 8080;

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface Deployment {
  apiVersion: "apps/v1";
  kind: "Deployment";
  metadata: { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string>; ownerReferences?: OwnerReference[]; resourceVersion?: string };
  spec: {
    replicas?: number;
    selector: { matchLabels: Record<string, string> };
    progressDeadlineSeconds: number;
    template: { metadata: { labels: Record<string, string>; annotations: Record<string, string> }; spec: Record<string, unknown> };
  };
  status?: {
    replicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
}

export interface KubeService {
  apiVersion: "v1";
  kind: "Service";
  metadata: { name: string; namespace: string; labels: Record<string, string>; annotations?: Record<string, string>; ownerReferences?: OwnerReference[]; resourceVersion?: string };
  spec: { selector: Record<string, string>; ports: { name: string; port: number; targetPort: number; protocol: "TCP" }[]; type?: string; clusterIP?: string };
}

export const deploymentName = (revision: string) => `${revision}-deployment`;
export const serviceName = (revision: string) => revision;

/** Knative's labels on everything that belongs to a revision. */
export function revisionLabels(rev: Revision): Record<string, string> {
  const labels = rev.metadata.labels ?? {};
  return {
    ...(labels[SERVICE_LABEL] ? { [SERVICE_LABEL]: labels[SERVICE_LABEL] } : {}),
    ...(labels[CONFIGURATION_LABEL] ? { [CONFIGURATION_LABEL]: labels[CONFIGURATION_LABEL] } : {}),
    [REVISION_LABEL]: rev.metadata.name!,
    [REVISION_UID_LABEL]: rev.metadata.uid ?? "",
    app: rev.metadata.name!,
    [MANAGED_BY_LABEL]: MANAGED_BY,
  };
}

export function containerPort(rev: Revision): { name: string; port: number } {
  const p = rev.spec?.containers?.[0]?.ports?.[0];
  return { name: p?.name === "h2c" ? "h2c" : "http", port: p?.containerPort ?? DEFAULT_PORT };
}

/** The user's container as Kubernetes runs it, with Knative's runtime contract in its env. */
function podSpec(rev: Revision): Record<string, unknown> {
  const spec = rev.spec ?? { containers: [] };
  const c = spec.containers[0];
  const labels = rev.metadata.labels ?? {};
  const { port } = containerPort(rev);
  const env = [
    ...(c?.env ?? []),
    { name: "PORT", value: String(port) },
    { name: "K_REVISION", value: rev.metadata.name! },
    { name: "K_CONFIGURATION", value: labels[CONFIGURATION_LABEL] ?? "" },
    { name: "K_SERVICE", value: labels[SERVICE_LABEL] ?? "" },
  ];
  const container: Record<string, unknown> = {
    name: c?.name || DEFAULT_CONTAINER_NAME,
    image: c?.image,
    env,
    ports: [{ name: "user-port", containerPort: port, protocol: "TCP" }],
    // Knative's default readiness check: the port accepts connections.
    readinessProbe: probeOnPort(c?.readinessProbe ?? { tcpSocket: { port: 0 }, successThreshold: 1 }, port),
  };
  if (c?.livenessProbe) container.livenessProbe = probeOnPort(c.livenessProbe, port);
  for (const key of ["args", "command", "envFrom", "resources", "imagePullPolicy", "workingDir", "securityContext", "volumeMounts"] as const) {
    if (c?.[key] !== undefined) container[key] = c[key];
  }
  return {
    containers: [container],
    enableServiceLinks: spec.enableServiceLinks ?? false,
    // Requests in flight may take up to the revision's timeout to finish.
    terminationGracePeriodSeconds: spec.timeoutSeconds ?? 300,
    ...(spec.serviceAccountName ? { serviceAccountName: spec.serviceAccountName } : {}),
    ...(spec.volumes ? { volumes: spec.volumes } : {}),
    ...(spec.imagePullSecrets ? { imagePullSecrets: spec.imagePullSecrets } : {}),
  };
}

/**
 * Knative lets a probe leave its port out (or 0): it means the container's port, which queue-proxy fills
 * in. Without queue-proxy the kubelet probes the pod itself, so the port is written out.
 */
export function probeOnPort<P>(probe: P, port: number): P {
  const p = { ...probe } as Record<string, unknown>;
  for (const handler of ["tcpSocket", "httpGet", "grpc"]) {
    const h = p[handler] as { port?: number | string } | undefined;
    if (h && (h.port === undefined || h.port === 0)) p[handler] = { ...h, port };
  }
  return p as P;
}

function revisionAnnotations(rev: Revision): Record<string, string> {
  const annotations = { ...rev.metadata.annotations };
  delete annotations[POD_REPORT_ANNOTATION];
  annotations[CONTAINER_CONCURRENCY_ANNOTATION] = String(rev.spec?.containerConcurrency ?? 0);
  return annotations;
}

export function makeDeployment(rev: Revision, owner: OwnerReference | undefined, replicas: number): Deployment {
  const labels = revisionLabels(rev);
  const annotations = revisionAnnotations(rev);
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: deploymentName(rev.metadata.name!), namespace: rev.metadata.namespace!, labels, annotations, ...(owner ? { ownerReferences: [owner] } : {}) },
    spec: {
      replicas,
      selector: { matchLabels: { [REVISION_UID_LABEL]: labels[REVISION_UID_LABEL] } },
      progressDeadlineSeconds: 600,
      template: { metadata: { labels, annotations }, spec: podSpec(rev) },
    },
  };
}

export function makeService(rev: Revision, owner: OwnerReference | undefined): KubeService {
  const labels = revisionLabels(rev);
  const { name, port } = containerPort(rev);
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: serviceName(rev.metadata.name!), namespace: rev.metadata.namespace!, labels, ...(owner ? { ownerReferences: [owner] } : {}) },
    spec: { selector: { [REVISION_UID_LABEL]: labels[REVISION_UID_LABEL] }, ports: [{ name, port, targetPort: port, protocol: "TCP" }], type: "ClusterIP" },
  };
}

/** The cluster object a revision descends from (the Service, else the Configuration) owns its pods. */
export function ownerFor(rev: Revision, clusterObject: { kind: string; uid: string; name: string } | undefined): OwnerReference | undefined {
  if (!clusterObject?.uid) return undefined;
  return { apiVersion: "serving.knative.dev/v1", kind: clusterObject.kind, name: clusterObject.name, uid: clusterObject.uid, controller: false, blockOwnerDeletion: true };
}

/** Whether what runs differs from what is wanted, in the fields the bridge owns (never replicas). */
export function deploymentDrifted(actual: Deployment, wanted: Deployment): boolean {
  const pick = (d: Deployment) => canonical([d.metadata.labels, d.metadata.annotations, d.metadata.ownerReferences ?? [], d.spec.selector, d.spec.template]);
  return pick(actual) !== pick(wanted);
}

/** Whether the Service differs in the fields the bridge owns (never the clusterIP the cluster assigns). */
export function serviceDrifted(actual: KubeService, wanted: KubeService): boolean {
  const pick = (s: KubeService) => canonical([s.metadata.labels, s.metadata.ownerReferences ?? [], s.spec.selector, s.spec.ports]);
  return pick(actual) !== pick(wanted);
}

/**
 * What Knit should know of the pods: the Service's address (its cluster IP), the ready pods, and whether
 * the Deployment is available or failed. Once available, a revision stays so when scaled to zero.
 */
export function podReport(deployment: Deployment | undefined, service: KubeService | undefined, previous: PodReport | undefined): PodReport {
  const ip = service?.spec.clusterIP;
  const port = service?.spec.ports[0]?.port;
  const url = ip && ip !== "None" && port ? `http://${ip.includes(":") ? `[${ip}]` : ip}:${port}` : undefined;
  const status = deployment?.status;
  const readyReplicas = status?.readyReplicas ?? 0;
  const condition = (type: string) => status?.conditions?.find((c) => c.type === type);
  const failure = condition("ReplicaFailure")?.status === "True" ? condition("ReplicaFailure") : condition("Progressing")?.status === "False" ? condition("Progressing") : undefined;
  const ready = readyReplicas > 0 || condition("Available")?.status === "True" || (previous?.ready ?? false);
  return {
    ...(url ? { url } : {}),
    readyReplicas,
    ready: ready && !(failure && readyReplicas === 0),
    ...(failure ? { reason: failure.reason ?? "DeploymentFailed", message: failure.message ?? "" } : {}),
  };
}
