// The bridge: informers on the cluster's Knative objects and on Knit's copies, and one reconcile per
// object that makes Knit hold what the cluster asks for and the cluster show Knit's status. Reconciling
// is idempotent (it compares before it writes), so a restart, a re-list or a second replica converges.
// Only the holder of the Lease writes.

import * as k8s from "@kubernetes/client-node";
import { MIRRORED_KINDS, type MirroredKind } from "./kinds.ts";
import { FINALIZER, desiredInKnit, isMirror, knitCopyStale, sameStatus, statusForCluster, type KubeObject } from "./mirror.ts";
import { decideLease, type LeaseSpec } from "./leader.ts";

export interface BridgeOptions {
  cluster: k8s.KubeConfig;
  knit: k8s.KubeConfig;
  identity: string;
  leaseNamespace: string;
  leaseName: string;
  leaseDurationSeconds: number;
  resyncMs: number;
  log: (line: string) => void;
}

const MAX_BACKOFF_MS = 30_000;

export class Bridge {
  private readonly opts: BridgeOptions;
  private readonly clusterApi: k8s.CustomObjectsApi;
  private readonly knitApi: k8s.CustomObjectsApi;
  private readonly leases: k8s.CoordinationV1Api;
  private readonly informers: k8s.Informer<KubeObject>[] = [];
  private readonly pending = new Map<string, { kind: MirroredKind; namespace: string; name: string; attempt: number }>();
  private readonly timers: ReturnType<typeof setInterval>[] = [];
  private leading = false;
  private announced = false;
  private draining = false;
  private stopped = false;
  /** Writes made (for tests and logs: a replica that does not lead makes none). */
  writes = 0;

  constructor(opts: BridgeOptions) {
    this.opts = opts;
    this.clusterApi = opts.cluster.makeApiClient(k8s.CustomObjectsApi);
    this.knitApi = opts.knit.makeApiClient(k8s.CustomObjectsApi);
    this.leases = opts.cluster.makeApiClient(k8s.CoordinationV1Api);
  }

  get isLeader(): boolean {
    return this.leading;
  }

  async start(): Promise<void> {
    for (const kind of MIRRORED_KINDS) {
      this.watch(this.opts.cluster, this.clusterApi, kind);
      this.watch(this.opts.knit, this.knitApi, kind);
    }
    await this.elect();
    this.timers.push(setInterval(() => void this.elect(), Math.max(1000, (this.opts.leaseDurationSeconds * 1000) / 3)));
    // Periodic resync: every known object is reconciled again, whatever the watches said.
    this.timers.push(setInterval(() => this.resync(), this.opts.resyncMs));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    if (this.leading) await this.release();
    await Promise.all(this.informers.map((i) => i.stop().catch(() => {})));
  }

  private watch(config: k8s.KubeConfig, api: k8s.CustomObjectsApi, kind: MirroredKind): void {
    const path = `/apis/${kind.group}/${kind.version}/${kind.plural}`;
    const list = () => api.listClusterCustomObject({ group: kind.group, version: kind.version, plural: kind.plural }) as Promise<k8s.KubernetesListObject<KubeObject>>;
    const informer = k8s.makeInformer<KubeObject>(config, path, list as never);
    const enqueue = (obj: KubeObject) => this.enqueue(kind, obj.metadata?.namespace ?? "", obj.metadata?.name ?? "");
    informer.on("add", enqueue);
    informer.on("update", enqueue);
    informer.on("delete", enqueue);
    let failures = 0;
    informer.on("error", () => {
      // The cluster may not serve the kind yet (its CRD not applied): try again, backing off.
      const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** failures++);
      setTimeout(() => !this.stopped && void informer.start().then(() => (failures = 0), () => {}), delay);
    });
    informer.on("connect", () => (failures = 0));
    this.informers.push(informer);
    void informer.start().catch(() => {});
  }

  private enqueue(kind: MirroredKind, namespace: string, name: string): void {
    if (!name) return;
    const key = `${kind.group}/${kind.plural}/${namespace}/${name}`;
    if (!this.pending.has(key)) this.pending.set(key, { kind, namespace, name, attempt: 0 });
    void this.drain();
  }

  private resync(): void {
    for (const [i, informer] of this.informers.entries()) {
      const kind = MIRRORED_KINDS[Math.floor(i / 2)];
      for (const obj of (informer as unknown as k8s.ObjectCache<KubeObject>).list()) this.enqueue(kind, obj.metadata?.namespace ?? "", obj.metadata?.name ?? "");
    }
  }

  private async drain(): Promise<void> {
    if (this.draining || !this.leading) return;
    this.draining = true;
    try {
      while (this.pending.size > 0 && this.leading && !this.stopped) {
        const [key, item] = this.pending.entries().next().value as [string, { kind: MirroredKind; namespace: string; name: string; attempt: number }];
        this.pending.delete(key);
        try {
          await this.reconcile(item.kind, item.namespace, item.name);
        } catch (err) {
          const delay = Math.min(MAX_BACKOFF_MS, 200 * 2 ** item.attempt);
          this.opts.log(`reconcile ${key} failed (retry in ${delay} ms): ${err instanceof Error ? err.message : String(err)}`);
          setTimeout(() => {
            if (!this.pending.has(key)) this.pending.set(key, { ...item, attempt: item.attempt + 1 });
            void this.drain();
          }, delay);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  /** Makes Knit hold what the cluster object asks for, and the cluster object show Knit's status. */
  private async reconcile(kind: MirroredKind, namespace: string, name: string): Promise<void> {
    const ref = { group: kind.group, version: kind.version, plural: kind.plural, namespace, name };
    const inCluster = await get(this.clusterApi, ref);
    const inKnit = await get(this.knitApi, ref);
    // Knit's own objects (a Service's Configuration and Route, or what was applied to Knit directly)
    // are not the bridge's to delete or overwrite: only copies it made, which carry the cluster uid.
    const mirrored = inKnit ? isMirror(inKnit) : false;
    if (!inCluster || inCluster.metadata?.deletionTimestamp) {
      if (inKnit && mirrored) await this.write(`delete ${kind.kind} ${namespace}/${name} in Knit`, () => this.knitApi.deleteNamespacedCustomObject(ref));
      if (inCluster?.metadata?.finalizers?.includes(FINALIZER)) {
        const finalizers = inCluster.metadata.finalizers.filter((f) => f !== FINALIZER);
        await this.write(`release ${kind.kind} ${namespace}/${name} in the cluster`, () => this.clusterApi.replaceNamespacedCustomObject({ ...ref, body: { ...inCluster, metadata: { ...inCluster.metadata, finalizers } } }));
      }
      return;
    }
    if (!inCluster.metadata?.finalizers?.includes(FINALIZER)) {
      const finalizers = [...(inCluster.metadata?.finalizers ?? []), FINALIZER];
      await this.write(`finalizer on ${kind.kind} ${namespace}/${name}`, () => this.clusterApi.replaceNamespacedCustomObject({ ...ref, body: { ...inCluster, metadata: { ...inCluster.metadata, finalizers } } }));
      return; // the update comes back through the informer
    }
    const desired = desiredInKnit(inCluster);
    if (!inKnit) {
      await this.write(`create ${kind.kind} ${namespace}/${name} in Knit`, () => this.knitApi.createNamespacedCustomObject({ group: kind.group, version: kind.version, plural: kind.plural, namespace, body: desired }));
      return;
    }
    if (!mirrored) {
      this.opts.log(`${kind.kind} ${namespace}/${name} exists in Knit and was not made by the bridge: left alone`);
      return;
    }
    if (knitCopyStale(inKnit, desired)) {
      await this.write(`update ${kind.kind} ${namespace}/${name} in Knit`, () => this.knitApi.replaceNamespacedCustomObject({ ...ref, body: { ...desired, metadata: { ...desired.metadata, resourceVersion: inKnit.metadata?.resourceVersion } } }));
      return;
    }
    const status = statusForCluster(inCluster, inKnit);
    if (status && !sameStatus(status, inCluster.status)) {
      await this.write(`status of ${kind.kind} ${namespace}/${name} in the cluster`, () => this.clusterApi.replaceNamespacedCustomObjectStatus({ ...ref, body: { ...inCluster, status } }));
    }
  }

  private async write<T>(what: string, op: () => Promise<T>): Promise<T> {
    if (!this.leading) throw new Error("not the leader");
    this.writes++;
    this.opts.log(`${this.opts.identity} writes: ${what}`);
    return op();
  }

  /** Takes or renews the Lease; loses leadership when it cannot. */
  private async elect(): Promise<void> {
    const { leaseNamespace: namespace, leaseName: name, identity, leaseDurationSeconds } = this.opts;
    try {
      const current = await this.leases.readNamespacedLease({ namespace, name }).catch((err: { code?: number }) => {
        if (err.code === 404) return undefined;
        throw err;
      });
      const decision = decideLease(current?.spec as LeaseSpec | undefined, identity, new Date(), leaseDurationSeconds);
      if (!decision.lead) {
        this.setLeading(false);
        return;
      }
      const body = { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name, namespace, ...(current ? { resourceVersion: current.metadata?.resourceVersion } : {}) }, spec: decision.spec };
      if (current) await this.leases.replaceNamespacedLease({ namespace, name, body: body as never });
      else await this.leases.createNamespacedLease({ namespace, body: body as never });
      this.setLeading(true);
    } catch (err) {
      // Another replica won the race (409), or the cluster is unreachable: not the leader for now.
      this.setLeading(false);
      this.opts.log(`lease: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
    }
  }

  /** A replica that stops cleanly gives the Lease up, so another leads at once rather than after it expires. */
  private async release(): Promise<void> {
    const { leaseNamespace: namespace, leaseName: name, identity } = this.opts;
    this.leading = false;
    try {
      const current = await this.leases.readNamespacedLease({ namespace, name });
      if (current.spec?.holderIdentity !== identity) return;
      await this.leases.replaceNamespacedLease({ namespace, name, body: { ...current, spec: { ...current.spec, holderIdentity: undefined } } as never });
      this.opts.log(`${identity} released the lease`);
    } catch {
      // It expires on its own.
    }
  }

  private setLeading(leading: boolean): void {
    if (leading === this.leading && this.announced) return;
    this.announced = true;
    this.leading = leading;
    this.opts.log(leading ? `${this.opts.identity} leads` : `${this.opts.identity} does not lead`);
    if (leading) {
      this.resync();
      void this.drain();
    }
  }
}

async function get(api: k8s.CustomObjectsApi, ref: { group: string; version: string; plural: string; namespace: string; name: string }): Promise<KubeObject | undefined> {
  try {
    return (await api.getNamespacedCustomObject(ref)) as KubeObject;
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
}
