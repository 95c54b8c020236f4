// The Store Durable Object: the cluster's single source of truth. It serves the resource API,
// runs the reconcilers, keeps worker scripts, builds the routing table and probes new revisions.

import { DurableObject } from "cloudflare:workers";
import type { Env } from "../../env.ts";
import type { KObject, Revision } from "../types.ts";
import type { RoutingTable } from "../../router/table.ts";
import { revisionKey } from "../../router/table.ts";
import { buildRoutingTable } from "../../router/build-table.ts";
import { publishRoutingVersion } from "../../router/version-hint.ts";
import { probeRevision } from "../../router/isolate.ts";
import { parseAutoscalerSpec } from "../../autoscaler/spec.ts";
import { RuntimeSync } from "./runtime-sync.ts";
import { isWorkerImage } from "./images.ts";
import { apiServerEvents, bindingEnvs } from "../resources/sources.ts";
import { Cluster } from "./cluster.ts";
import { handleStoreRequest } from "../server/store-routes.ts";
import { errorResponse } from "../server/respond.ts";
import { objectId } from "../../object-ids.ts";
import { drainBody } from "../../drain.ts";
import { applyMode } from "../../mode.ts";
import { isClusterMode, registerCrd, unregisterCrd, type CustomResourceDefinition } from "../cluster-kinds.ts";

const CRDS = "customresourcedefinitions.apiextensions.k8s.io";

export class Store extends DurableObject<Env> {
  readonly cluster: Cluster;
  private runtime: RuntimeSync | undefined;
  private routingVersion = Date.now();
  private table: RoutingTable | undefined;
  private readonly probing = new Set<string>();
  /** The targets pod revisions' activators were last given. */
  private readonly podTargets = new Map<string, string>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    applyMode(env);
    if (isClusterMode()) {
      // A stand-in cluster: storage and the API only; custom resources are served as their CRDs say.
      this.cluster = new Cluster(ctx.storage.sql, { routingChanged: () => {}, revisionSeen: () => {}, objectChanged: (change) => this.crdChanged(change) }, { clusterMode: true });
      for (const crd of this.cluster.objects.list(CRDS)) registerCrd(crd as CustomResourceDefinition);
      this.cluster.resyncAll();
      return;
    }
    this.cluster = new Cluster(ctx.storage.sql, {
      routingChanged: (key, obj) => this.routingChanged(key, obj),
      revisionSeen: (rev) => this.maybeProbe(rev as Revision),
      revisionGone: (ns, name) => {
        this.podTargets.delete(`${ns}/${name}`);
        this.ctx.waitUntil(this.activator(`${ns}/${name}`).retire().catch(() => {}));
      },
      eventingChanged: () => this.runtime?.changed(),
      objectChanged: (change) => this.apiServerChange(change),
    });
    this.cluster.podRuntimeAvailable = env.POD_RUNTIME === "true";
    this.cluster.resyncAll();
    publishRoutingVersion(this.routingVersion);
    this.restoreActivators();
    this.runtime = new RuntimeSync(env, this.cluster, (p) => this.ctx.waitUntil(p));
    this.runtime.sync();
  }

  /** Kinds are registered as this object starts; the API edge asks before it answers discovery. */
  async kindsReady(): Promise<void> {}

  /** Cluster mode: a CRD serves its kinds from when it is stored; deleting it deletes its objects. */
  private crdChanged(change: { type: "ADDED" | "MODIFIED" | "DELETED"; key: string; object: KObject }): void {
    if (change.key !== CRDS) return;
    const crd = change.object as CustomResourceDefinition;
    if (change.type !== "DELETED") {
      registerCrd(crd);
      return;
    }
    const key = `${crd.spec.names.plural}.${crd.spec.group}`;
    // The objects go while the kinds are still known, then the kinds.
    queueMicrotask(() => {
      for (const o of this.cluster.objects.list(key)) this.cluster.deleteCascade(key as never, o.metadata.namespace, o.metadata.name!);
      unregisterCrd(crd.spec.group, crd.spec.names.plural);
    });
  }

  /**
   * After a restart (or an eviction) activators hold no instances. Those that should (min-scale), or that
   * last reported some, are woken so min-scale comes back and no status keeps a stale scale.
   */
  private restoreActivators(): void {
    for (const [key, target] of Object.entries(this.currentTable().revisions)) {
      if (!target.digest && this.cluster.podRuntimeAvailable && !isWorkerImage(target.image)) {
        this.podTargets.set(key, JSON.stringify(target));
        this.ctx.waitUntil(this.activator(key).restore(target, this.cluster.servingConfig.autoscaler).catch(() => this.podTargets.delete(key)));
        continue;
      }
      const facts = this.cluster.runtimeFacts.get(key);
      if (!target.digest || !facts?.load?.ok) continue;
      const wanted = parseAutoscalerSpec(this.cluster.servingConfig.autoscaler, target.annotations, target.containerConcurrency).minScale;
      if (wanted === 0 && !facts.scale?.actual && !facts.scale?.desired) continue;
      this.ctx.waitUntil(this.activator(key).restore(target, this.cluster.servingConfig.autoscaler).catch(() => {}));
    }
  }

  private activator(key: string) {
    return this.env.ACTIVATOR.get(objectId(this.env.ACTIVATOR, key));
  }

  override async fetch(request: Request): Promise<Response> {
    try {
      const response = await handleStoreRequest(request, this.cluster);
      // A body no handler read (a DELETE's DeleteOptions, say) is read now, or the client's next request
      // on this keep-alive connection would be parsed from the rest of it.
      await drainBody(request);
      return response;
    } catch (err) {
      // So is the body of a request refused before it was read (413, 415, 405, …).
      await drainBody(request);
      return errorResponse(err);
    }
  }

  /** The routing table, or null when the caller's version is current. */
  async routingTable(knownVersion: number): Promise<RoutingTable | null> {
    if (knownVersion === this.routingVersion) return null;
    return this.currentTable();
  }

  /** The autoscaler's decision and the instances loaded, for the PodAutoscaler and Revision status. */
  async reportScale(namespace: string, name: string, desired: number, actual: number): Promise<void> {
    if (!this.cluster.objects.get("revisions.serving.knative.dev", namespace, name)) return;
    this.cluster.setRevisionFacts(namespace, name, { scale: { desired, actual } });
  }

  /** `namespace/name` of every worker revision, for /metrics. */
  async workerRevisionKeys(): Promise<string[]> {
    return Object.entries(this.currentTable().revisions).filter(([, t]) => t.digest || (this.cluster.podRuntimeAvailable && !isWorkerImage(t.image))).map(([k]) => k);
  }

  async script(digest: string): Promise<string | null> {
    return this.cluster.scripts.code(digest);
  }

  private currentTable(): RoutingTable {
    if (!this.table || this.table.version !== this.routingVersion) {
      const built = buildRoutingTable({
        routes: this.cluster.objects.list("routes.serving.knative.dev") as never,
        domainMappings: this.cluster.objects.list("domainmappings.serving.knative.dev") as never,
        revisions: this.cluster.objects.list("revisions.serving.knative.dev") as never,
        config: this.cluster.servingConfig,
        bindings: this.bindings(),
      });
      this.table = { version: this.routingVersion, ...built, autoscaler: this.cluster.servingConfig.autoscaler };
    }
    return this.table!;
  }

  private routingChanged(key?: string, obj?: KObject): void {
    // A Revision's status also carries its scale, which changes often and routes nothing: when the
    // revision's entry in the table would be the same, routers need not fetch the table again.
    if (key === "revisions.serving.knative.dev" && obj && this.table && this.table.version === this.routingVersion) {
      const ns = obj.metadata.namespace!;
      const name = obj.metadata.name!;
      const stored = this.cluster.objects.get(key, ns, name);
      const k = revisionKey(ns, name);
      const next = stored ? this.targetOf(stored as Revision) : undefined;
      if (stored && next && JSON.stringify(next) === JSON.stringify(this.table.revisions[k])) return;
    }
    this.routingVersion = Math.max(this.routingVersion + 1, Date.now());
    publishRoutingVersion(this.routingVersion);
  }

  /** Sends ApiServerSources' events for one change through their event logs. */
  private apiServerChange(change: { type: "ADDED" | "MODIFIED" | "DELETED"; object: KObject }): void {
    // Changes made while the Cluster is being built (system namespaces) come before any source exists.
    if (!this.cluster) return;
    const sources = this.cluster.objects.list("apiserversources.sources.knative.dev", change.object.metadata.namespace);
    if (sources.length === 0) return;
    for (const { log, event } of apiServerEvents(sources as never, change, () => crypto.randomUUID(), new Date())) {
      this.ctx.waitUntil(this.env.EVENTS.get(objectId(this.env.EVENTS, log)).publish(event).catch(() => false));
    }
  }

  private bindings() {
    return bindingEnvs(this.cluster.objects.list("sinkbindings.sources.knative.dev") as never);
  }

  private targetOf(rev: Revision) {
    return buildRoutingTable({ routes: [], domainMappings: [], revisions: [rev], config: this.cluster.servingConfig, bindings: this.bindings() })
      .revisions[revisionKey(rev.metadata.namespace!, rev.metadata.name!)];
  }

  /**
   * A pod revision's activator runs its autoscaler from creation (its decision is what the bridge sets the
   * Deployment's replicas to) and learns each change of the bridge's report (the pods it can send to).
   */
  private syncPodActivator(rev: Revision): void {
    const target = this.targetOf(rev);
    if (!target || target.digest || !this.cluster.podRuntimeAvailable) return;
    const key = revisionKey(target.namespace, target.name);
    const text = JSON.stringify(target);
    if (this.podTargets.get(key) === text) return;
    this.podTargets.set(key, text);
    this.ctx.waitUntil(this.activator(key).warm(target, this.cluster.servingConfig.autoscaler).catch(() => this.podTargets.delete(key)));
  }

  /** Loads a new worker revision's isolate once and records whether it starts. */
  private maybeProbe(rev: Revision): void {
    const ns = rev.metadata.namespace!;
    const name = rev.metadata.name!;
    const id = `${ns}/${name}`;
    const image = rev.spec?.containers?.[0]?.image ?? "";
    if (image && !isWorkerImage(image)) return this.syncPodActivator(rev);
    if (this.probing.has(id) || this.cluster.runtimeFacts.get(id)?.load) return;
    const digest = rev.status?.containerStatuses?.[0]?.imageDigest;
    if (!digest?.startsWith("worker://")) return;
    const target = this.targetOf(rev);
    if (!target?.digest) return;
    this.probing.add(id);
    const run = probeRevision(this.env.LOADER, target, async (d: string) => this.cluster.scripts.code(d), this.env.OUTBOUND ?? this.env.PUBLIC_NET ?? null)
      .catch((err: unknown) => ({ ok: false as const, reason: "ProbeFailed", message: String(err) }))
      .then((load) => {
        this.probing.delete(id);
        if (!this.cluster.objects.get("revisions.serving.knative.dev", ns, name)) return;
        this.cluster.setRevisionFacts(ns, name, { load });
        if (load.ok) {
          return this.activator(id).warm(target, this.cluster.servingConfig.autoscaler).catch(() => {});
        }
      });
    this.ctx.waitUntil(run);
  }
}

export type { KObject };
