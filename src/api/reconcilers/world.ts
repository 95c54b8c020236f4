// The contract between the pure reconcilers and the storage that runs them.
// A reconciler reads the world through `World` and returns what it wants; the store applies it.

import type { KObject } from "../types.ts";
import type { ServingConfig } from "../config/serving-config.ts";

/** Storage key of a kind: plural.group (see kinds.ts storageKey). */
export type StoreKey =
  | "services.serving.knative.dev"
  | "configurations.serving.knative.dev"
  | "revisions.serving.knative.dev"
  | "routes.serving.knative.dev"
  | "domainmappings.serving.knative.dev"
  | "clusterdomainclaims.networking.internal.knative.dev"
  | "podautoscalers.autoscaling.internal.knative.dev"
  | "brokers.eventing.knative.dev"
  | "triggers.eventing.knative.dev"
  | "channels.messaging.knative.dev"
  | "inmemorychannels.messaging.knative.dev"
  | "subscriptions.messaging.knative.dev"
  | "sequences.flows.knative.dev"
  | "parallels.flows.knative.dev"
  | "pingsources.sources.knative.dev"
  | "sinkbindings.sources.knative.dev"
  | "containersources.sources.knative.dev"
  | "apiserversources.sources.knative.dev"
  | "configmaps"
  | "namespaces";

export interface ObjectRef {
  key: StoreKey;
  namespace?: string;
  name: string;
}

/** What the runtime has learnt about a worker revision (facts the pure reconciler cannot compute). */
export interface RevisionRuntimeFacts {
  /** Result of loading the revision's isolate and probing it; absent while not yet tried. */
  load?: { ok: true } | { ok: false; reason: string; message: string };
  /** The autoscaler's latest decision and the instances actually loaded (absent until it first reports). */
  scale?: { desired: number; actual: number };
}

/** Result of resolving a container image. */
export type ImageResolution =
  | { kind: "worker"; scriptName: string; digest: string } // digest = "sha256:<hex>"
  | { kind: "pod"; image: string }
  | { kind: "error"; reason: string; message: string };

export interface World {
  get<T extends KObject = KObject>(key: StoreKey, namespace: string | undefined, name: string): T | undefined;
  list<T extends KObject = KObject>(key: StoreKey, namespace?: string): T[];
  config: ServingConfig;
  /** Resolve `worker://NAME@sha256:HEX`, `worker://NAME:TAG`, `worker://NAME` (tag latest) or any other image. */
  resolveImage(image: string): ImageResolution;
  revisionRuntime(namespace: string, name: string): RevisionRuntimeFacts | undefined;
  /** Whether a pod runtime (the k8s bridge) is connected; without one, pod revisions cannot become ready. */
  podRuntimeAvailable: boolean;
  /** RFC 3339 time to stamp on transitions. */
  now: string;
}

export interface ReconcileResult {
  /** The object's new status (the store writes it only when it differs). */
  status?: unknown;
  /** Children that must exist with this content (created, or spec/labels/annotations/ownerReferences updated). */
  upsert?: KObject[];
  /** Children created only when missing and never updated afterwards (Revisions are immutable). */
  create?: KObject[];
  /** Children to delete. */
  delete?: ObjectRef[];
}

export type Reconciler = (obj: KObject, world: World) => ReconcileResult;
