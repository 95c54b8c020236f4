// The scale subresource (autoscaling/v1 Scale) of kinds that have one: Deployments in cluster mode, as
// `kubectl scale` and the bridge's autoscaler use it.

import type { KObject } from "../types.ts";
import type { KindInfo } from "../kinds.ts";
import type { Cluster } from "../store/cluster.ts";
import { BadRequestError, MethodNotAllowedError } from "../errors.ts";
import { applyPatch } from "../protocol/patch.ts";
import { json } from "./respond.ts";

interface Scalable extends KObject {
  spec?: { replicas?: number; selector?: { matchLabels?: Record<string, string> } };
  status?: { replicas?: number };
}

function scaleOf(obj: Scalable): KObject {
  const labels = obj.spec?.selector?.matchLabels ?? {};
  return {
    apiVersion: "autoscaling/v1",
    kind: "Scale",
    metadata: { name: obj.metadata.name, namespace: obj.metadata.namespace, uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion, creationTimestamp: obj.metadata.creationTimestamp },
    spec: { replicas: obj.spec?.replicas ?? 1 },
    status: { replicas: obj.status?.replicas ?? 0, selector: Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(",") },
  };
}

export async function handleScale(req: Request, cluster: Cluster, kind: KindInfo, namespace: string | undefined, name: string, body: () => Promise<unknown>): Promise<Response> {
  const current = cluster.get(kind, namespace, name) as Scalable;
  if (req.method === "GET") return json(scaleOf(current));
  if (req.method !== "PUT" && req.method !== "PATCH") throw new MethodNotAllowedError(req.method, new URL(req.url).pathname);
  const input = await body();
  const wanted = (req.method === "PUT" ? input : applyPatch(scaleOf(current), req.headers.get("content-type") ?? "", input)) as KObject & { spec?: { replicas?: unknown } };
  const replicas = wanted.spec?.replicas;
  if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0) throw new BadRequestError("spec.replicas must be a whole number >= 0");
  const rv = wanted.metadata?.resourceVersion;
  const updated = cluster.update(kind, namespace, name, {
    ...current,
    metadata: { ...current.metadata, ...(rv ? { resourceVersion: rv } : {}) },
    spec: { ...current.spec, replicas },
  }) as Scalable;
  return json(scaleOf(updated));
}
