// Runs the pure reconcilers against storage: a de-duplicated work queue, drained after every write.

import { KINDS, storageKey } from "../kinds.ts";
import type { KObject } from "../types.ts";
import type { ObjectRef, ReconcileResult, Reconciler, StoreKey, World } from "../reconcilers/world.ts";
import { reconcilers as knitReconcilers, dependentsOf as knitDependents } from "../reconcilers/index.ts";

export interface LoopStorage {
  find(key: string, namespace: string | undefined, name: string): KObject | undefined;
  /** Creates a child the reconciler asked for (the storage stamps uid, timestamps, generation). */
  createChild(key: StoreKey, obj: KObject): KObject;
  /** Updates a child's desired content; returns the new object when something changed. */
  updateChild(key: StoreKey, current: KObject, desired: KObject): KObject | undefined;
  writeStatus(key: StoreKey, current: KObject, status: unknown): KObject | undefined;
  deleteCascade(key: StoreKey, namespace: string | undefined, name: string): void;
}

/** Stops a reconcile storm (two reconcilers fighting) from hanging the store. */
const MAX_STEPS = 50_000;

export class ReconcileLoop {
  private readonly queue: ObjectRef[] = [];
  private readonly queued = new Set<string>();
  private running = false;
  private readonly storage: LoopStorage;
  private readonly world: (ref: ObjectRef, obj: KObject) => World;
  private readonly afterStep?: (ref: ObjectRef, obj: KObject) => void;
  private readonly reconcilers: Partial<Record<string, Reconciler>>;
  private readonly dependentsOf: typeof knitDependents;

  constructor(
    storage: LoopStorage,
    world: (ref: ObjectRef, obj: KObject) => World,
    afterStep?: (ref: ObjectRef, obj: KObject) => void,
    table: { reconcilers: Partial<Record<string, Reconciler>>; dependentsOf: typeof knitDependents } = { reconcilers: knitReconcilers, dependentsOf: knitDependents },
  ) {
    this.storage = storage;
    this.world = world;
    this.afterStep = afterStep;
    this.reconcilers = table.reconcilers;
    this.dependentsOf = table.dependentsOf;
  }

  enqueue(ref: ObjectRef): void {
    if (!this.reconcilers[ref.key]) return;
    const id = `${ref.key}|${ref.namespace ?? ""}|${ref.name}`;
    if (this.queued.has(id)) return;
    this.queued.add(id);
    this.queue.push(ref);
  }

  /** Enqueues what depends on a changed object (and the object itself). */
  changed(key: StoreKey, obj: KObject, world: World): void {
    this.enqueue({ key, namespace: obj.metadata.namespace, name: obj.metadata.name! });
    for (const ref of this.dependentsOf({ key, namespace: obj.metadata.namespace, name: obj.metadata.name!, obj }, world)) {
      this.enqueue(ref);
    }
  }

  run(): void {
    if (this.running) return;
    this.running = true;
    try {
      let steps = 0;
      while (this.queue.length > 0 && steps++ < MAX_STEPS) {
        const ref = this.queue.shift()!;
        this.queued.delete(`${ref.key}|${ref.namespace ?? ""}|${ref.name}`);
        const obj = this.storage.find(ref.key, ref.namespace, ref.name);
        if (!obj || obj.metadata.deletionTimestamp) continue;
        const world = this.world(ref, obj);
        const result = this.reconcilers[ref.key]!(obj, world);
        this.apply(ref, obj, result);
        const latest = this.storage.find(ref.key, ref.namespace, ref.name);
        if (latest) this.afterStep?.(ref, latest);
      }
    } finally {
      this.running = false;
    }
  }

  private apply(ref: ObjectRef, obj: KObject, result: ReconcileResult): void {
    for (const child of result.create ?? []) {
      const key = keyOfChild(child);
      if (!this.storage.find(key, child.metadata.namespace, child.metadata.name!)) this.storage.createChild(key, child);
    }
    for (const child of result.upsert ?? []) {
      const key = keyOfChild(child);
      const current = this.storage.find(key, child.metadata.namespace, child.metadata.name!);
      if (!current) this.storage.createChild(key, child);
      else this.storage.updateChild(key, current, child);
    }
    for (const gone of result.delete ?? []) this.storage.deleteCascade(gone.key, gone.namespace, gone.name);
    if (result.status !== undefined) {
      const current = this.storage.find(ref.key, ref.namespace, ref.name) ?? obj;
      this.storage.writeStatus(ref.key, current, result.status);
    }
  }
}

export function keyOfChild(obj: KObject): StoreKey {
  const group = obj.apiVersion.includes("/") ? obj.apiVersion.split("/")[0] : "";
  const kind = KINDS.find((k) => k.group === group && k.kind === obj.kind);
  if (!kind) throw new Error(`no storage for ${obj.apiVersion} ${obj.kind}`);
  return storageKey(kind) as StoreKey;
}
