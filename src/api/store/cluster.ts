// The cluster's objects: CRUD with Kubernetes semantics (uid, generation, resourceVersion preconditions,
// owner-reference cascade), admission on user writes, and the reconcile loop after every change.

import type { KObject } from "../types.ts";
import type { KindInfo } from "../kinds.ts";
import { KINDS, apiVersionOf, storageKey, storageKindOf } from "../kinds.ts";
import { reconcileCrd } from "../reconcilers/crd.ts";
import type { ServingConfig } from "../config/serving-config.ts";
import { parseServingConfig } from "../config/parse.ts";
import type { ObjectRef, Reconciler, StoreKey, World, RevisionRuntimeFacts } from "../reconcilers/world.ts";
import { AlreadyExistsError, ConflictError, InvalidError, NotFoundError } from "../errors.ts";
import { ObjectTable } from "./objects.ts";
import { ScriptTable } from "./scripts.ts";
import { ReconcileLoop, type LoopStorage } from "./reconcile-loop.ts";
import { resolveImage } from "./images.ts";
import { admit } from "./admission.ts";
import { WatchHub } from "./watch.ts";
import { FactTable } from "./facts.ts";

/** Kinds whose changes reshape the eventing runtime (event logs' subscriptions, sources). */
const EVENT_LOG_KINDS = new Set<StoreKey>(["brokers.eventing.knative.dev", "triggers.eventing.knative.dev", "inmemorychannels.messaging.knative.dev", "subscriptions.messaging.knative.dev", "pingsources.sources.knative.dev", "containersources.sources.knative.dev", "apiserversources.sources.knative.dev"]);

/** In cluster mode only CustomResourceDefinitions have a status to compute. */
const CLUSTER_RECONCILERS = {
  reconcilers: { "customresourcedefinitions.apiextensions.k8s.io": reconcileCrd } as Partial<Record<string, Reconciler>>,
  dependentsOf: () => [],
};

const SYSTEM_NAMESPACES = ["default", "knative-serving", "knative-eventing", "kube-system", "kube-public"];

export interface ClusterHooks {
  /** A Route, Revision, DomainMapping or serving ConfigMap changed: the routing table may be stale. */
  routingChanged(key?: StoreKey, obj?: KObject): void;
  /** A Revision was reconciled; the runtime may need to load and probe it. */
  revisionSeen(revision: KObject): void;
  /** A Revision was deleted: its instances must go. */
  revisionGone?(namespace: string, name: string): void;
  /** A Broker or Trigger changed (or was deleted): the brokers' event logs need their subscriptions again. */
  eventingChanged?(): void;
  /** Any object was added, modified or deleted (ApiServerSources watch these). */
  objectChanged?(change: { type: "ADDED" | "MODIFIED" | "DELETED"; key: string; object: KObject }): void;
}

export class Cluster implements LoopStorage {
  readonly objects: ObjectTable;
  readonly scripts: ScriptTable;
  readonly watches = new WatchHub();
  readonly runtimeFacts: FactTable;
  podRuntimeAvailable = false;
  private config: ServingConfig;
  private readonly loop: ReconcileLoop;
  private readonly hooks: ClusterHooks;

  /** A stand-in Kubernetes API server: objects are stored as sent, without Knative's webhooks. */
  private readonly clusterMode: boolean;

  constructor(sql: SqlStorage, hooks: ClusterHooks, opts: { clusterMode?: boolean } = {}) {
    this.clusterMode = opts.clusterMode ?? false;
    this.hooks = hooks;
    this.objects = new ObjectTable(sql);
    this.scripts = new ScriptTable(sql);
    this.runtimeFacts = new FactTable(sql);
    this.config = parseServingConfig(this.objects.list("configmaps", "knative-serving") as never);
    this.objects.onChange((change) => this.watches.record(change));
    this.objects.onChange((change) => this.onStored(change.key as StoreKey, change.object));
    this.objects.onChange((change) => this.hooks.objectChanged?.(change));
    this.loop = new ReconcileLoop(this, (ref, obj) => this.worldFor(ref, obj), (ref, obj) => {
      if (ref.key === "revisions.serving.knative.dev") this.hooks.revisionSeen(obj);
    }, opts.clusterMode ? CLUSTER_RECONCILERS : undefined);
    for (const ns of SYSTEM_NAMESPACES) this.ensureNamespace(ns);
  }

  get servingConfig(): ServingConfig {
    return this.config;
  }

  world(): World {
    const now = rfc3339(new Date());
    return {
      get: (key, namespace, name) => this.objects.get(key, namespace, name) as never,
      list: (key, namespace) => this.objects.list(key, namespace) as never,
      config: this.config,
      resolveImage: (image) => resolveImage(image, this.scripts),
      revisionRuntime: (namespace, name) => this.runtimeFacts.get(`${namespace}/${name}`),
      podRuntimeAvailable: this.podRuntimeAvailable,
      now,
    };
  }

  /** A Revision keeps the digest it resolved at creation (Knative's tag-to-digest), even if the tag moves. */
  private worldFor(ref: ObjectRef, obj: KObject): World {
    const world = this.world();
    if (ref.key !== "revisions.serving.knative.dev") return world;
    const pinned = (obj.status as { containerStatuses?: { imageDigest?: string }[] } | undefined)?.containerStatuses?.[0]?.imageDigest;
    if (!pinned) return world;
    return { ...world, resolveImage: (image) => resolveImage(image.startsWith("worker://") ? pinned : image, this.scripts) };
  }

  // ---- user operations (through the API) ----

  get(kind: KindInfo, namespace: string | undefined, name: string): KObject {
    const obj = this.objects.get(storageKey(kind), namespace, name);
    if (!obj) throw new NotFoundError(resourceName(kind), name, kind.kind, kind.group);
    return obj;
  }

  list(kind: KindInfo, namespace: string | undefined): KObject[] {
    return this.objects.list(storageKey(kind), namespace);
  }

  create(kind: KindInfo, namespace: string | undefined, input: KObject): KObject {
    const name = input.metadata?.name ?? generateName(input.metadata?.generateName);
    if (!name) throw new InvalidError(kind.kind, kind.group, "", [{ field: "metadata.name", message: "Required value: name or generateName is required", reason: "FieldValueRequired" }]);
    const withName: KObject = { ...input, metadata: { ...input.metadata, name, namespace: kind.namespaced ? namespace : undefined } };
    const key = storageKey(kind);
    if (this.objects.get(key, withName.metadata.namespace, name)) throw new AlreadyExistsError(resourceName(kind), name, kind.group);
    if (kind.namespaced && namespace) this.ensureNamespace(namespace);
    const admitted = admit(kind, withName, undefined, this.admissionContext(), true);
    // Status belongs to the controllers: what a user sends on create is dropped, as the status subresource does.
    if (kind.statusSubresource && kind.kind !== "Namespace") delete admitted.status;
    const stored = this.objects.put(key, this.stampNew(admitted));
    this.drain();
    return this.objects.get(key, stored.metadata.namespace, name) ?? stored;
  }

  update(kind: KindInfo, namespace: string | undefined, name: string, input: KObject, subresource?: string): KObject {
    const key = storageKey(kind);
    const current = this.get(kind, namespace, name);
    const rv = input.metadata?.resourceVersion;
    if (rv && rv !== current.metadata.resourceVersion) throw new ConflictError(resourceName(kind), name, kind.group);
    if (input.metadata?.name && input.metadata.name !== name) {
      throw new InvalidError(kind.kind, kind.group, name, [{ field: "metadata.name", message: `Invalid value: "${input.metadata.name}": field is immutable` }]);
    }
    let next: KObject;
    if (subresource === "status") {
      next = { ...current, status: input.status };
    } else {
      const admitted = admit(kind, { ...input, metadata: { ...input.metadata, name, namespace: current.metadata.namespace } }, current, this.admissionContext(), true);
      next = {
        ...admitted,
        metadata: {
          ...admitted.metadata,
          uid: current.metadata.uid,
          creationTimestamp: current.metadata.creationTimestamp,
          generation: nextGeneration(current, admitted),
          namespace: current.metadata.namespace,
          name,
          // Set only by a delete that finalizers hold back; no update clears it.
          ...(current.metadata.deletionTimestamp ? { deletionTimestamp: current.metadata.deletionTimestamp } : {}),
        },
        status: current.status,
      };
      if (!next.metadata.deletionTimestamp) delete next.metadata.deletionTimestamp;
    }
    if (sameContent(current, next)) return current;
    // The last finalizer removed from an object being deleted: the deletion completes.
    if (next.metadata.deletionTimestamp && !next.metadata.finalizers?.length) {
      this.deleteCascade(key as StoreKey, namespace, name);
      this.drain();
      return next;
    }
    this.objects.put(key, next);
    this.drain();
    return this.objects.get(key, namespace, name)!;
  }

  /** As Kubernetes: an object with finalizers is only marked (deletionTimestamp) until they are removed. */
  delete(kind: KindInfo, namespace: string | undefined, name: string): KObject {
    const current = this.get(kind, namespace, name);
    if (current.metadata.finalizers?.length) {
      if (current.metadata.deletionTimestamp) return current;
      const marked = this.objects.put(storageKey(kind), { ...current, metadata: { ...current.metadata, deletionTimestamp: rfc3339(new Date()) } });
      this.drain();
      return marked;
    }
    this.deleteCascade(storageKey(kind) as StoreKey, namespace, name);
    this.drain();
    return current;
  }

  // ---- LoopStorage: what the reconcilers read and the writes they ask for ----

  find(key: string, namespace: string | undefined, name: string): KObject | undefined {
    return this.objects.get(key, namespace, name);
  }

  createChild(key: StoreKey, obj: KObject): KObject {
    if (obj.metadata.namespace) this.ensureNamespace(obj.metadata.namespace);
    return this.objects.put(key, this.stampNew(obj));
  }

  updateChild(key: StoreKey, current: KObject, desired: KObject): KObject | undefined {
    const next: KObject = {
      ...current,
      ...desired,
      metadata: {
        ...current.metadata,
        labels: desired.metadata.labels,
        annotations: desired.metadata.annotations,
        ownerReferences: desired.metadata.ownerReferences ?? current.metadata.ownerReferences,
        generation: nextGeneration(current, desired),
      },
      status: current.status,
    };
    if (sameContent(current, next)) return undefined;
    return this.objects.put(key, next);
  }

  writeStatus(key: StoreKey, current: KObject, status: unknown): KObject | undefined {
    if (JSON.stringify(current.status ?? null) === JSON.stringify(status ?? null)) return undefined;
    return this.objects.put(key, { ...current, status });
  }

  deleteCascade(key: StoreKey, namespace: string | undefined, name: string): void {
    const gone = this.objects.remove(key, namespace, name);
    if (!gone) return;
    const uid = gone.metadata.uid;
    for (const childKey of this.objects.keys()) {
      for (const child of this.objects.list(childKey)) {
        if (child.metadata.ownerReferences?.some((o) => o.uid === uid)) {
          this.deleteCascade(childKey as StoreKey, child.metadata.namespace, child.metadata.name!);
        }
      }
    }
    if (key === "namespaces") {
      for (const childKey of this.objects.keys()) {
        for (const child of this.objects.list(childKey, name)) this.deleteCascade(childKey as StoreKey, name, child.metadata.name!);
      }
    }
    if (key === "revisions.serving.knative.dev") {
      this.runtimeFacts.delete(`${namespace}/${name}`);
      this.hooks.revisionGone?.(namespace!, name);
    }
  }

  /** Records a runtime fact about a Revision and reconciles what follows from it. */
  setRevisionFacts(namespace: string, name: string, facts: RevisionRuntimeFacts): void {
    this.runtimeFacts.set(`${namespace}/${name}`, { ...this.runtimeFacts.get(`${namespace}/${name}`), ...facts });
    this.loop.enqueue({ key: "revisions.serving.knative.dev", namespace, name });
    this.loop.enqueue({ key: "podautoscalers.autoscaling.internal.knative.dev", namespace, name });
    this.drain();
  }

  /** Re-reconciles every object (after start, or when the world outside storage changed). */
  resyncAll(): void {
    for (const key of this.objects.keys()) {
      for (const obj of this.objects.list(key)) this.loop.enqueue({ key: key as StoreKey, namespace: obj.metadata.namespace, name: obj.metadata.name! });
    }
    this.drain();
  }

  drain(): void {
    this.loop.run();
  }

  private onStored(key: StoreKey, obj: KObject): void {
    if (key === "configmaps" && obj.metadata.namespace === "knative-serving") {
      this.config = parseServingConfig(this.objects.list("configmaps", "knative-serving") as never);
      this.hooks.routingChanged();
    }
    if (key === "routes.serving.knative.dev" || key === "revisions.serving.knative.dev" || key === "domainmappings.serving.knative.dev") {
      this.hooks.routingChanged(key, obj);
    }
    // A SinkBinding changes the env of the revisions it binds.
    if (key === "sinkbindings.sources.knative.dev") this.hooks.routingChanged();
    if (EVENT_LOG_KINDS.has(key)) this.hooks.eventingChanged?.();
    this.loop.changed(key, obj, this.world());
  }

  private admissionContext() {
    return {
      plain: this.clusterMode,
      config: this.config,
      revisionExists: (ns: string, name: string) => !!this.objects.get("revisions.serving.knative.dev", ns, name),
      configurationExists: (ns: string, name: string) => !!this.objects.get("configurations.serving.knative.dev", ns, name),
    };
  }

  private stampNew(obj: KObject): KObject {
    return {
      ...obj,
      metadata: {
        ...obj.metadata,
        uid: crypto.randomUUID(),
        creationTimestamp: rfc3339(new Date()),
        generation: 1,
        resourceVersion: undefined,
      },
    };
  }

  private ensureNamespace(name: string): void {
    if (this.objects.get("namespaces", undefined, name)) return;
    this.objects.put("namespaces", this.stampNew({
      apiVersion: "v1", kind: "Namespace", metadata: { name }, spec: { finalizers: ["kubernetes"] }, status: { phase: "Active" },
    }));
  }
}

export function resourceName(kind: KindInfo): string {
  return kind.group ? `${kind.plural}.${kind.group}` : kind.plural;
}

export function kindForKey(key: string): KindInfo | undefined {
  return KINDS.find((k) => !k.storageVersion && storageKey(k) === key);
}

export function presentAs(kind: KindInfo, obj: KObject): KObject {
  const stored = storageKindOf(kind);
  if (stored === kind) return obj;
  return { ...obj, apiVersion: apiVersionOf(kind) };
}

function nextGeneration(current: KObject, desired: KObject): number {
  const base = current.metadata.generation ?? 1;
  const specChanged = JSON.stringify(current.spec ?? null) !== JSON.stringify(desired.spec ?? null)
    || JSON.stringify((current as { data?: unknown }).data ?? null) !== JSON.stringify((desired as { data?: unknown }).data ?? null);
  return specChanged ? base + 1 : base;
}

function sameContent(a: KObject, b: KObject): boolean {
  const strip = (o: KObject) => JSON.stringify({ ...o, metadata: { ...o.metadata, resourceVersion: undefined, managedFields: undefined } });
  return strip(a) === strip(b);
}

function generateName(prefix: string | undefined): string | undefined {
  if (!prefix) return undefined;
  const alphabet = "bcdfghjklmnpqrstvwxz2456789";
  let suffix = "";
  for (let i = 0; i < 5; i++) suffix += alphabet[Math.floor(Math.random() * alphabet.length)];
  return prefix + suffix;
}

export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}
