// Pod revisions: for each Revision in Knit whose image is not worker://, a Deployment and a Service in
// the cluster; the Deployment's replicas follow Knit's autoscaler (its PodAutoscaler's desiredScale,
// set through the scale subresource) and the pods' readiness goes back to Knit as the Revision's report.

import * as k8s from "@kubernetes/client-node";
import type { Revision } from "../../src/api/types.ts";
import { SERVICE_LABEL, CONFIGURATION_LABEL } from "../../src/api/resources/labels.ts";
import { POD_REPORT_ANNOTATION, readPodReport, writePodReport } from "../../src/api/pods/report.ts";
import { isWorkerImage } from "../../src/api/store/images.ts";
import {
  deploymentDrifted, deploymentName, makeDeployment, makeService, ownerFor, podReport, serviceDrifted, serviceName,
  type Deployment, type KubeService,
} from "./resources/pod-revision.ts";

export type Write = <T>(what: string, op: () => Promise<T>) => Promise<T>;

export interface PodApis {
  knit: k8s.CustomObjectsApi;
  cluster: k8s.CustomObjectsApi;
  apps: k8s.AppsV1Api;
  core: k8s.CoreV1Api;
}

const notFound = (err: unknown) => (err as { code?: number }).code === 404;
async function orUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (notFound(err)) return undefined;
    throw err;
  }
}

export function isPodRevision(rev: Revision | undefined): boolean {
  const image = rev?.spec?.containers?.[0]?.image;
  return !!image && !isWorkerImage(image);
}

/** Makes the cluster run what Knit's Revision `namespace/name` asks for, and Knit know how it runs. */
export async function reconcilePodRevision(apis: PodApis, write: Write, namespace: string, name: string): Promise<void> {
  const rev = (await orUndefined(apis.knit.getNamespacedCustomObject({ group: "serving.knative.dev", version: "v1", plural: "revisions", namespace, name }))) as Revision | undefined;
  let deployment = (await orUndefined(apis.apps.readNamespacedDeployment({ namespace, name: deploymentName(name) }))) as unknown as Deployment | undefined;
  let service = (await orUndefined(apis.core.readNamespacedService({ namespace, name: serviceName(name) }))) as unknown as KubeService | undefined;

  if (!rev || !isPodRevision(rev)) {
    // The Revision is gone from Knit: its pods go too (only what the bridge made: it carries the label).
    if (deployment && managed(deployment)) await write(`delete Deployment ${namespace}/${deploymentName(name)}`, () => apis.apps.deleteNamespacedDeployment({ namespace, name: deploymentName(name) }));
    if (service && managed(service)) await write(`delete Service ${namespace}/${serviceName(name)}`, () => apis.core.deleteNamespacedService({ namespace, name: serviceName(name) }));
    return;
  }

  const owner = ownerFor(rev, await clusterOwner(apis.cluster, rev));
  const pa = (await orUndefined(apis.knit.getNamespacedCustomObject({ group: "autoscaling.internal.knative.dev", version: "v1alpha1", plural: "podautoscalers", namespace, name }))) as { status?: { desiredScale?: number } } | undefined;
  const desiredScale = pa?.status?.desiredScale;
  const wanted = makeDeployment(rev, owner, desiredScale ?? 1);

  if (!deployment) {
    deployment = (await write(`create Deployment ${namespace}/${wanted.metadata.name} (${wanted.spec.replicas} replicas)`, () => apis.apps.createNamespacedDeployment({ namespace, body: wanted as never }))) as unknown as Deployment;
  } else if (deploymentDrifted(deployment, wanted)) {
    const body = { ...wanted, metadata: { ...wanted.metadata, resourceVersion: deployment.metadata.resourceVersion }, spec: { ...wanted.spec, replicas: deployment.spec.replicas } };
    deployment = (await write(`update Deployment ${namespace}/${wanted.metadata.name}`, () => apis.apps.replaceNamespacedDeployment({ namespace, name: wanted.metadata.name, body: body as never }))) as unknown as Deployment;
  }
  if (desiredScale !== undefined && deployment.spec.replicas !== desiredScale) {
    await write(`scale Deployment ${namespace}/${wanted.metadata.name} to ${desiredScale}`, () => apis.apps.replaceNamespacedDeploymentScale({
      namespace, name: wanted.metadata.name, body: { apiVersion: "autoscaling/v1", kind: "Scale", metadata: { name: wanted.metadata.name, namespace }, spec: { replicas: desiredScale } },
    }));
  }

  const wantedService = makeService(rev, owner);
  if (!service) {
    service = (await write(`create Service ${namespace}/${wantedService.metadata.name}`, () => apis.core.createNamespacedService({ namespace, body: wantedService as never }))) as unknown as KubeService;
  } else if (serviceDrifted(service, wantedService)) {
    // The cluster IP is the cluster's: kept as assigned.
    const body = { ...wantedService, metadata: { ...wantedService.metadata, resourceVersion: service.metadata.resourceVersion }, spec: { ...wantedService.spec, clusterIP: service.spec.clusterIP } };
    service = (await write(`update Service ${namespace}/${wantedService.metadata.name}`, () => apis.core.replaceNamespacedService({ namespace, name: wantedService.metadata.name, body: body as never }))) as unknown as KubeService;
  }

  const previous = readPodReport(rev.metadata.annotations);
  const report = podReport(deployment, service, previous);
  const text = writePodReport(report);
  if (rev.metadata.annotations?.[POD_REPORT_ANNOTATION] === text) return;
  const body = { ...rev, metadata: { ...rev.metadata, annotations: { ...rev.metadata.annotations, [POD_REPORT_ANNOTATION]: text } } };
  await write(`report pods of Revision ${namespace}/${name} to Knit (${report.readyReplicas} ready${report.url ? ` at ${report.url}` : ""})`, () =>
    apis.knit.replaceNamespacedCustomObject({ group: "serving.knative.dev", version: "v1", plural: "revisions", namespace, name, body }));
}

function managed(obj: { metadata?: { labels?: Record<string, string> } }): boolean {
  return obj.metadata?.labels?.["app.kubernetes.io/managed-by"] === "knit-bridge";
}

/** The cluster object (Knative Service, else Configuration) the revision descends from, when it is there. */
async function clusterOwner(api: k8s.CustomObjectsApi, rev: Revision): Promise<{ kind: string; uid: string; name: string } | undefined> {
  const labels = rev.metadata.labels ?? {};
  const namespace = rev.metadata.namespace!;
  for (const [kind, plural, name] of [["Service", "services", labels[SERVICE_LABEL]], ["Configuration", "configurations", labels[CONFIGURATION_LABEL]]] as const) {
    if (!name) continue;
    const obj = (await orUndefined(api.getNamespacedCustomObject({ group: "serving.knative.dev", version: "v1", plural, namespace, name }))) as { metadata?: { uid?: string } } | undefined;
    if (obj?.metadata?.uid) return { kind, uid: obj.metadata.uid, name };
  }
  return undefined;
}
