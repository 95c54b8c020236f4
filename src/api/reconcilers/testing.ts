// An in-memory World for reconciler tests: stores objects like the API store does (uid, generation),
// applies reconcile results, and drains a work queue driven by dependentsOf until nothing changes.

import type { KObject } from "../types.ts";
import type { ServingConfig } from "../config/serving-config.ts";
import type { ImageResolution, ObjectRef, ReconcileResult, RevisionRuntimeFacts, StoreKey, World } from "./world.ts";
import { defaultServingConfig } from "../config/parse.ts";
import { dependentsOf, reconcilers } from "./index.ts";
import { sameJson } from "../resources/owner.ts";

const KEYS: Record<string, StoreKey> = {
  Service: "services.serving.knative.dev",
  Configuration: "configurations.serving.knative.dev",
  Revision: "revisions.serving.knative.dev",
  Route: "routes.serving.knative.dev",
  DomainMapping: "domainmappings.serving.knative.dev",
  ClusterDomainClaim: "clusterdomainclaims.networking.internal.knative.dev",
  PodAutoscaler: "podautoscalers.autoscaling.internal.knative.dev",
  ConfigMap: "configmaps",
  Namespace: "namespaces",
};

export function keyOf(obj: KObject): StoreKey {
  const key = KEYS[obj.kind];
  if (!key) throw new Error(`no key for ${obj.kind}`);
  return key;
}

const id = (key: string, ns: string | undefined, name: string) => `${key}|${ns ?? ""}|${name}`;

export class TestWorld implements World {
  config: ServingConfig = defaultServingConfig();
  podRuntimeAvailable = false;
  now = "2024-01-01T00:00:00Z";
  /** Load result for worker revisions without an explicit fact; undefined = not probed yet. */
  defaultLoad: RevisionRuntimeFacts["load"] = { ok: true };
  readonly facts = new Map<string, RevisionRuntimeFacts>();
  /** `worker://NAME:TAG` → digest. */
  readonly tags = new Map<string, string>();
  private readonly objects = new Map<string, KObject>();
  private readonly queue: ObjectRef[] = [];
  private uid = 0;

  get<T extends KObject = KObject>(key: StoreKey, namespace: string | undefined, name: string): T | undefined {
    return this.objects.get(id(key, namespace, name)) as T | undefined;
  }

  list<T extends KObject = KObject>(key: StoreKey, namespace?: string): T[] {
    return [...this.objects.entries()]
      .filter(([k, o]) => k.startsWith(`${key}|`) && (namespace === undefined || o.metadata.namespace === namespace))
      .map(([, o]) => o as T);
  }

  resolveImage(image: string): ImageResolution {
    if (!image.startsWith("worker://")) return { kind: "pod", image };
    const rest = image.slice("worker://".length);
    const at = rest.indexOf("@");
    if (at >= 0) return { kind: "worker", scriptName: rest.slice(0, at), digest: rest.slice(at + 1) };
    const digest = this.tags.get(rest.includes(":") ? rest : `${rest}:latest`);
    if (digest) return { kind: "worker", scriptName: rest.split(":")[0], digest };
    return { kind: "error", reason: "ContainerMissing", message: `worker script ${rest} not found` };
  }

  revisionRuntime(namespace: string, name: string): RevisionRuntimeFacts | undefined {
    return this.facts.get(`${namespace}/${name}`) ?? (this.defaultLoad ? { load: this.defaultLoad } : undefined);
  }

  /** Stores an object the way the API does; returns the stored form. */
  apply<T extends KObject>(input: T): T {
    const key = keyOf(input);
    const current = this.get(key, input.metadata.namespace, input.metadata.name!);
    const obj = structuredClone(input) as KObject;
    if (!current) {
      obj.metadata = { ...obj.metadata, uid: obj.metadata.uid ?? `uid-${++this.uid}`, generation: 1, creationTimestamp: this.now };
    } else {
      const specChanged = !sameJson(current.spec, obj.spec) || !sameJson((current as { data?: unknown }).data, (obj as { data?: unknown }).data);
      obj.metadata = {
        ...current.metadata, labels: obj.metadata.labels, annotations: obj.metadata.annotations,
        ownerReferences: obj.metadata.ownerReferences ?? current.metadata.ownerReferences,
        generation: (current.metadata.generation ?? 1) + (specChanged ? 1 : 0),
      };
      obj.status = obj.status ?? current.status;
      if (sameJson(current, obj)) return current as T;
    }
    this.store(key, obj);
    return obj as T;
  }

  delete(key: StoreKey, namespace: string | undefined, name: string): void {
    const gone = this.objects.get(id(key, namespace, name));
    if (!gone) return;
    this.objects.delete(id(key, namespace, name));
    for (const [k, child] of [...this.objects.entries()]) {
      if (child.metadata.ownerReferences?.some((o) => o.uid === gone.metadata.uid)) {
        this.delete(k.split("|")[0] as StoreKey, child.metadata.namespace, child.metadata.name!);
      }
    }
    this.changed(key, gone);
  }

  setLoad(namespace: string, name: string, load: RevisionRuntimeFacts["load"]): void {
    this.facts.set(`${namespace}/${name}`, { load });
    this.enqueue({ key: "revisions.serving.knative.dev", namespace, name });
  }

  /** Re-reconciles everything (after a change to the world outside storage, e.g. config or facts). */
  resync(): void {
    for (const [k, o] of this.objects) this.enqueue({ key: k.split("|")[0] as StoreKey, namespace: o.metadata.namespace, name: o.metadata.name! });
  }

  /** Drains the queue; then checks a full resync changes nothing (a missing dependency would show here). */
  settle(maxSteps = 2000): void {
    this.drain(maxSteps);
    const before = JSON.stringify([...this.objects.entries()]);
    this.resync();
    this.drain(maxSteps);
    const after = JSON.stringify([...this.objects.entries()]);
    if (before !== after) throw new Error("world was not settled: a resync changed objects (a dependency is missing from dependentsOf)");
  }

  reconcileOnce(key: StoreKey, namespace: string | undefined, name: string): ReconcileResult | undefined {
    const obj = this.get(key, namespace, name);
    const reconcile = reconcilers[key];
    if (!obj || !reconcile) return undefined;
    const result = reconcile(obj, this);
    for (const child of result.create ?? []) {
      if (!this.get(keyOf(child), child.metadata.namespace, child.metadata.name!)) this.apply(child);
    }
    for (const child of result.upsert ?? []) this.apply(child);
    for (const gone of result.delete ?? []) this.delete(gone.key, gone.namespace, gone.name);
    if (result.status !== undefined) {
      const current = this.get(key, namespace, name)!;
      if (!sameJson(current.status, result.status)) this.store(key, { ...current, status: structuredClone(result.status) });
    }
    return result;
  }

  private drain(maxSteps: number): void {
    let steps = 0;
    while (this.queue.length > 0) {
      if (++steps > maxSteps) throw new Error("reconcile storm: the queue never drained");
      const ref = this.queue.shift()!;
      this.reconcileOnce(ref.key, ref.namespace, ref.name);
    }
  }

  private store(key: StoreKey, obj: KObject): void {
    this.objects.set(id(key, obj.metadata.namespace, obj.metadata.name!), obj);
    this.changed(key, obj);
  }

  private changed(key: StoreKey, obj: KObject): void {
    this.enqueue({ key, namespace: obj.metadata.namespace, name: obj.metadata.name! });
    for (const ref of dependentsOf({ key, namespace: obj.metadata.namespace, name: obj.metadata.name!, obj }, this)) this.enqueue(ref);
  }

  private enqueue(ref: ObjectRef): void {
    if (!reconcilers[ref.key]) return;
    if (this.queue.some((q) => q.key === ref.key && q.namespace === ref.namespace && q.name === ref.name)) return;
    this.queue.push(ref);
  }
}

// ---- fixtures ----

export const DIGEST = `sha256:${"ab".repeat(32)}`;
export const workerImage = (name = "hello", digest = DIGEST) => `worker://${name}@${digest}`;

export interface KsvcOptions {
  namespace?: string;
  image?: string;
  env?: Record<string, string>;
  labels?: Record<string, string>;
  revisionName?: string;
  traffic?: import("../types.ts").TrafficTarget[];
}

export function ksvc(name: string, o: KsvcOptions = {}): import("../types.ts").Service {
  return {
    apiVersion: "serving.knative.dev/v1",
    kind: "Service",
    metadata: { name, namespace: o.namespace ?? "default", ...(o.labels ? { labels: o.labels } : {}) },
    spec: {
      template: {
        ...(o.revisionName ? { metadata: { name: o.revisionName } } : {}),
        spec: {
          containers: [{
            image: o.image ?? workerImage(),
            ...(o.env ? { env: Object.entries(o.env).map(([n, value]) => ({ name: n, value })) } : {}),
          }],
        },
      },
      ...(o.traffic ? { traffic: o.traffic } : {}),
    },
  };
}

export function configMap(name: string, data: Record<string, string>): import("../types.ts").ConfigMap {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "knative-serving" }, data };
}
