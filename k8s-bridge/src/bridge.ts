// The bridge: informers on the cluster's Knative objects and on Knit's copies, and one reconcile per
// object that makes Knit hold what the cluster asks for and the cluster show Knit's status. Reconciling
// is idempotent (it compares before it writes), so a restart, a re-list or a second replica converges.
// Only the holder of the Lease writes.

import * as k8s from "@kubernetes/client-node";
import { MIRRORED_KINDS, type MirroredKind } from "./kinds.ts";
import { FINALIZER, desiredInKnit, isMirror, knitCopyStale, refusedStatus, sameStatus, statusForCluster, type KubeObject } from "./mirror.ts";
import { decideLease, type LeaseSpec } from "./leader.ts";
import { isPodRevision, reconcilePodRevision, type PodApis } from "./pods.ts";
import { MANAGED_BY, MANAGED_BY_LABEL, REVISION_LABEL } from "./resources/pod-revision.ts";

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

interface Job {
  run(): Promise<void>;
  attempt: number;
}

export class Bridge {
  private readonly opts: BridgeOptions;
  private readonly clusterApi: k8s.CustomObjectsApi;
  private readonly knitApi: k8s.CustomObjectsApi;
  private readonly leases: k8s.CoordinationV1Api;
  private readonly informers: { informer: k8s.Informer<KubeObject>; enqueue: (obj: KubeObject) => void }[] = [];
  private readonly pending = new Map<string, Job>();
  private readonly pods: PodApis;
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
    this.pods = { knit: this.knitApi, cluster: this.clusterApi, apps: opts.cluster.makeApiClient(k8s.AppsV1Api), core: opts.cluster.makeApiClient(k8s.CoreV1Api) };
  }

  get isLeader(): boolean {
    return this.leading;
  }

  async start(): Promise<void> {
    for (const kind of MIRRORED_KINDS) {
      const list = (api: k8s.CustomObjectsApi) => () => api.listClusterCustomObject({ group: kind.group, version: kind.version, plural: kind.plural }) as Promise<k8s.KubernetesListObject<KubeObject>>;
      const enqueue = (obj: KubeObject) => this.enqueueMirror(kind, obj.metadata?.namespace ?? "", obj.metadata?.name ?? "");
      const path = `/apis/${kind.group}/${kind.version}/${kind.plural}`;
      this.watch(this.opts.cluster, path, list(this.clusterApi), enqueue);
      this.watch(this.opts.knit, path, list(this.knitApi), enqueue);
    }
    this.watchPods();
    await this.elect();
    this.timers.push(setInterval(() => void this.elect(), Math.max(1000, (this.opts.leaseDurationSeconds * 1000) / 3)));
    // Periodic resync: every known object is reconciled again, whatever the watches said.
    this.timers.push(setInterval(() => this.resync(), this.opts.resyncMs));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    if (this.leading) await this.release();
    await Promise.all(this.informers.map(({ informer }) => informer.stop().catch(() => {})));
  }

  /**
   * Pod revisions: Knit's Revisions and PodAutoscalers (what to run and at what scale), and the
   * Deployments and Services the bridge made in the cluster (how it runs), all keyed by revision.
   */
  private watchPods(): void {
    const byRevision = (obj: KubeObject) => this.enqueuePods(obj.metadata?.namespace ?? "", obj.metadata?.name ?? "");
    const byLabel = (obj: KubeObject) => this.enqueuePods(obj.metadata?.namespace ?? "", obj.metadata?.labels?.[REVISION_LABEL] ?? "");
    const selector = `${MANAGED_BY_LABEL}=${MANAGED_BY}`;
    const knitList = (group: string, version: string, plural: string) => () =>
      this.knitApi.listClusterCustomObject({ group, version, plural }) as Promise<k8s.KubernetesListObject<KubeObject>>;
    this.watch(this.opts.knit, "/apis/serving.knative.dev/v1/revisions", knitList("serving.knative.dev", "v1", "revisions"), (obj) => {
      if (isPodRevision(obj as never) || obj.metadata?.deletionTimestamp) byRevision(obj);
    }, undefined, true);
    this.watch(this.opts.knit, "/apis/autoscaling.internal.knative.dev/v1alpha1/podautoscalers", knitList("autoscaling.internal.knative.dev", "v1alpha1", "podautoscalers"), byRevision);
    this.watch(this.opts.cluster, "/apis/apps/v1/deployments", () => this.pods.apps.listDeploymentForAllNamespaces({ labelSelector: selector }) as never, byLabel, selector);
    this.watch(this.opts.cluster, "/api/v1/services", () => this.pods.core.listServiceForAllNamespaces({ labelSelector: selector }) as never, byLabel, selector);
  }

  private watch(config: k8s.KubeConfig, path: string, list: () => Promise<k8s.KubernetesListObject<KubeObject>>, enqueue: (obj: KubeObject) => void, labelSelector?: string, deletesToo = false): void {
    // Bookmarks keep the informer's resourceVersion current while nothing it watches changes.
    const informer = k8s.makeInformer<KubeObject>(config, `${path}?allowWatchBookmarks=true`, list as never, labelSelector);
    informer.on("add", enqueue);
    informer.on("update", enqueue);
    // A deleted Revision's pods must go even though the object no longer says what it was.
    informer.on("delete", deletesToo ? (obj) => this.enqueuePods(obj.metadata?.namespace ?? "", obj.metadata?.name ?? "") : enqueue);
    let failures = 0;
    informer.on("error", () => {
      // The cluster may not serve the kind yet (its CRD not applied): try again, backing off.
      const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** failures++);
      setTimeout(() => !this.stopped && void informer.start().then(() => (failures = 0), () => {}), delay);
    });
    informer.on("connect", () => (failures = 0));
    this.informers.push({ informer, enqueue });
    void informer.start().catch(() => {});
  }

  private enqueueMirror(kind: MirroredKind, namespace: string, name: string): void {
    if (name) this.enqueue(`${kind.group}/${kind.plural}/${namespace}/${name}`, () => this.reconcile(kind, namespace, name));
  }

  private enqueuePods(namespace: string, name: string): void {
    if (name) this.enqueue(`pods/${namespace}/${name}`, () => reconcilePodRevision(this.pods, (what, op) => this.write(what, op), namespace, name));
  }

  private enqueue(key: string, run: () => Promise<void>): void {
    if (!this.pending.has(key)) this.pending.set(key, { run, attempt: 0 });
    void this.drain();
  }

  private resync(): void {
    for (const { informer, enqueue } of this.informers) {
      for (const obj of (informer as unknown as k8s.ObjectCache<KubeObject>).list()) enqueue(obj);
    }
  }

  private async drain(): Promise<void> {
    if (this.draining || !this.leading) return;
    this.draining = true;
    try {
      while (this.pending.size > 0 && this.leading && !this.stopped) {
        const [key, item] = this.pending.entries().next().value as [string, Job];
        this.pending.delete(key);
        try {
          await item.run();
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
      await this.refusable(kind, inCluster, () => this.write(`create ${kind.kind} ${namespace}/${name} in Knit`, () => this.knitApi.createNamespacedCustomObject({ group: kind.group, version: kind.version, plural: kind.plural, namespace, body: desired })));
      return;
    }
    if (!mirrored) {
      this.opts.log(`${kind.kind} ${namespace}/${name} exists in Knit and was not made by the bridge: left alone`);
      return;
    }
    if (knitCopyStale(inKnit, desired)) {
      await this.refusable(kind, inCluster, () => this.write(`update ${kind.kind} ${namespace}/${name} in Knit`, () => this.knitApi.replaceNamespacedCustomObject({ ...ref, body: { ...desired, metadata: { ...desired.metadata, resourceVersion: inKnit.metadata?.resourceVersion } } })));
      return;
    }
    const status = statusForCluster(inCluster, inKnit);
    if (status && !sameStatus(status, inCluster.status)) {
      await this.write(`status of ${kind.kind} ${namespace}/${name} in the cluster`, () => this.clusterApi.replaceNamespacedCustomObjectStatus({ ...ref, body: { ...inCluster, status } }));
    }
  }

  /**
   * Knit checks what it is given as Knative's webhook would; a cluster without that webhook accepted it.
   * A refusal (422) is final until the object changes: the cluster object shows it as Ready False.
   */
  private async refusable(kind: MirroredKind, inCluster: KubeObject, op: () => Promise<unknown>): Promise<void> {
    try {
      await op();
    } catch (err) {
      if ((err as { code?: number }).code !== 422) throw err;
      const status = refusedStatus(inCluster, (err as { body?: unknown }).body);
      if (sameStatus(status, inCluster.status)) return;
      const { namespace = "", name = "" } = inCluster.metadata ?? {};
      await this.write(`status of ${kind.kind} ${namespace}/${name} in the cluster (Knit refused it)`, () =>
        this.clusterApi.replaceNamespacedCustomObjectStatus({ group: kind.group, version: kind.version, plural: kind.plural, namespace, name, body: { ...inCluster, status } }));
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
