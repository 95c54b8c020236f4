// What the bridge writes, as pure functions: the copy of a cluster object that Knit should hold, whether
// Knit's copy needs replacing, and the status the cluster object should show.

import { canonical, fingerprint } from "./canonical.ts";

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    finalizers?: string[];
    ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
    // A string on the wire; typed as client-node types it, and only tested for presence.
    deletionTimestamp?: Date;
    generation?: number;
  };
  spec?: unknown;
  status?: Record<string, unknown>;
}

/** The bridge's finalizer: a cluster object is deleted in Knit before it leaves the cluster. */
export const FINALIZER = "knit.dev/bridge";
/** Marks Knit's copies, and the cluster object's uid they came from. */
export const SOURCE_UID_ANNOTATION = "knit.dev/cluster-uid";
/**
 * The fingerprint of the cluster object's spec, labels and annotations a copy was made from. Knit defaults
 * what it stores (as Knative's webhook does: a spec's defaults, a Broker's class annotation, a Trigger's
 * broker label), so its copy never equals the cluster object; the fingerprint says whether it is current.
 */
export const SOURCE_SPEC_ANNOTATION = "knit.dev/cluster-spec";
const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

/** Knit's copy of a cluster object: its identity, labels, annotations and spec; nothing the cluster's server set. */
export function desiredInKnit(obj: KubeObject): KubeObject {
  const annotations = { ...obj.metadata?.annotations };
  delete annotations[LAST_APPLIED];
  const source = fingerprint({ spec: obj.spec ?? null, labels: obj.metadata?.labels ?? {}, annotations });
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    metadata: {
      name: obj.metadata?.name,
      namespace: obj.metadata?.namespace,
      ...(obj.metadata?.labels ? { labels: obj.metadata.labels } : {}),
      annotations: { ...annotations, [SOURCE_UID_ANNOTATION]: obj.metadata?.uid ?? "", [SOURCE_SPEC_ANNOTATION]: source },
    },
    spec: obj.spec,
  };
}

/** Whether a Knit object is a copy the bridge made (and so the bridge's to update or delete). */
export function isMirror(knit: KubeObject): boolean {
  // Knit's children of a mirrored Service inherit its annotations, but they have an owner.
  return !!knit.metadata?.annotations?.[SOURCE_UID_ANNOTATION] && !knit.metadata.ownerReferences?.length;
}

/** Whether Knit's copy differs from what the cluster object asks for. */
export function knitCopyStale(knit: KubeObject, desired: KubeObject): boolean {
  const mark = (o: KubeObject) => [o.metadata?.annotations?.[SOURCE_UID_ANNOTATION], o.metadata?.annotations?.[SOURCE_SPEC_ANNOTATION]].join("|");
  return mark(knit) !== mark(desired);
}

/**
 * The status the cluster object should carry: Knit's, except observedGeneration, which speaks of the
 * cluster object's generation once Knit has seen the spec that generation has.
 */
export function statusForCluster(cluster: KubeObject, knit: KubeObject): Record<string, unknown> | undefined {
  if (!knit.status) return undefined;
  const status = { ...knit.status };
  const caughtUp = knit.status.observedGeneration !== undefined && knit.status.observedGeneration === knit.metadata?.generation
    && !knitCopyStale(knit, desiredInKnit(cluster));
  if (caughtUp) status.observedGeneration = cluster.metadata?.generation;
  else delete status.observedGeneration;
  return status;
}

/** The status of a cluster object Knit refused (422): Ready False with Knit's reason, as Knative's webhook would have said it. */
export function refusedStatus(cluster: KubeObject, body: unknown): Record<string, unknown> {
  let message = typeof body === "string" ? body : JSON.stringify(body ?? "");
  try {
    const parsed = typeof body === "string" ? JSON.parse(body) : body;
    if (parsed && typeof parsed === "object" && typeof (parsed as { message?: unknown }).message === "string") message = (parsed as { message: string }).message;
  } catch {
    // not JSON: the text as it came
  }
  return {
    observedGeneration: cluster.metadata?.generation,
    conditions: [{ type: "Ready", status: "False", reason: "RejectedByKnit", message }],
  };
}

export function sameStatus(a: unknown, b: unknown): boolean {
  return canonical(a ?? null) === canonical(b ?? null);
}
