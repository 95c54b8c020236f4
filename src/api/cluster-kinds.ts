// Cluster mode: Knit's API as a stand-in Kubernetes API server (for the Kubernetes bridge's tests and
// for trying the bridge without a cluster). It serves the built-in kinds the bridge touches and any kind a
// CustomResourceDefinition declares, and none of Knit's own Knative kinds or reconcilers: there, Knative
// objects are plain custom resources, as on a cluster where the bridge runs.

import type { KindInfo, PrinterColumn } from "./kinds.ts";
import { KINDS } from "./kinds.ts";
import type { KObject } from "./types.ts";

const core = (kind: string, plural: string, shortNames: string[], namespaced = true, columns: PrinterColumn[] = []): KindInfo => ({
  group: "", version: "v1", kind, plural, singular: kind.toLowerCase(), shortNames, namespaced, categories: [], statusSubresource: true, columns,
});

const age: PrinterColumn = { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" };

/** The built-in kinds a cluster has and the bridge and its install use. */
export const CLUSTER_BUILTINS: KindInfo[] = [
  core("Service", "services", ["svc"], true, [
    { name: "Type", type: "string", jsonPath: ".spec.type" },
    { name: "Cluster-IP", type: "string", jsonPath: ".spec.clusterIP" },
    age,
  ]),
  core("Secret", "secrets", [], true, [{ name: "Type", type: "string", jsonPath: ".type" }, age]),
  core("ServiceAccount", "serviceaccounts", ["sa"]),
  core("PersistentVolumeClaim", "persistentvolumeclaims", ["pvc"], true, [{ name: "Status", type: "string", jsonPath: ".status.phase" }, age]),
  {
    group: "apps", version: "v1", kind: "Deployment", plural: "deployments", singular: "deployment", shortNames: ["deploy"],
    namespaced: true, categories: ["all"], statusSubresource: true, scaleSubresource: true,
    columns: [
      { name: "Ready", type: "string", jsonPath: ".status.readyReplicas" },
      { name: "Replicas", type: "integer", jsonPath: ".spec.replicas" },
      { name: "Available", type: "integer", jsonPath: ".status.availableReplicas" },
      age,
    ],
  },
  {
    group: "coordination.k8s.io", version: "v1", kind: "Lease", plural: "leases", singular: "lease", shortNames: [],
    namespaced: true, categories: [], statusSubresource: false,
    columns: [{ name: "Holder", type: "string", jsonPath: ".spec.holderIdentity" }, age],
  },
  ...["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"].map((kind): KindInfo => ({
    group: "rbac.authorization.k8s.io", version: "v1", kind, plural: `${kind.toLowerCase()}s`, singular: kind.toLowerCase(), shortNames: [],
    namespaced: !kind.startsWith("Cluster"), categories: [], statusSubresource: false, columns: [age],
  })),
  {
    group: "apiextensions.k8s.io", version: "v1", kind: "CustomResourceDefinition", plural: "customresourcedefinitions",
    singular: "customresourcedefinition", shortNames: ["crd", "crds"], namespaced: false, categories: ["api-extensions"], statusSubresource: true,
    columns: [{ name: "Created At", type: "string", jsonPath: ".metadata.creationTimestamp" }],
  },
];

let clusterMode = false;

export function isClusterMode(): boolean {
  return clusterMode;
}

/** Switches this isolate's kinds to cluster mode (once): Knit's Knative kinds out, the built-ins in. */
export function enterClusterMode(): void {
  if (clusterMode) return;
  clusterMode = true;
  const keep = KINDS.filter((k) => k.group === "" && (k.kind === "ConfigMap" || k.kind === "Namespace"));
  KINDS.splice(0, KINDS.length, ...keep, ...CLUSTER_BUILTINS);
}

interface CrdVersion {
  name: string;
  served?: boolean;
  storage?: boolean;
  subresources?: { status?: unknown; scale?: unknown };
  additionalPrinterColumns?: { name: string; type?: string; jsonPath: string; priority?: number; description?: string }[];
}

export interface CustomResourceDefinition extends KObject {
  spec: {
    group: string;
    names: { kind: string; plural: string; singular?: string; shortNames?: string[]; categories?: string[] };
    scope: "Namespaced" | "Cluster";
    versions: CrdVersion[];
  };
}

/** The kinds a CRD declares: one per served version, the storage version marked. */
export function kindsOfCrd(crd: CustomResourceDefinition): KindInfo[] {
  const { group, names, scope, versions } = crd.spec;
  const storage = versions.find((v) => v.storage)?.name ?? versions[0]?.name;
  return versions.filter((v) => v.served !== false).map((v) => ({
    group, version: v.name, kind: names.kind, plural: names.plural, singular: names.singular ?? names.kind.toLowerCase(),
    shortNames: names.shortNames ?? [], namespaced: scope !== "Cluster", categories: names.categories ?? [],
    statusSubresource: v.subresources?.status !== undefined,
    columns: (v.additionalPrinterColumns ?? []).map((c) => ({
      name: c.name, type: (["integer", "number", "boolean", "date"].includes(c.type ?? "") ? c.type : "string") as PrinterColumn["type"],
      jsonPath: c.jsonPath, ...(c.priority ? { priority: c.priority } : {}), ...(c.description ? { description: c.description } : {}),
    })),
    custom: true,
    ...(v.name !== storage ? { storageVersion: storage } : {}),
  }));
}

/** Serves a CRD's kinds (replacing what an earlier version of it declared). */
export function registerCrd(crd: CustomResourceDefinition): void {
  unregisterCrd(crd.spec.group, crd.spec.names.plural);
  KINDS.push(...kindsOfCrd(crd));
}

export function unregisterCrd(group: string, plural: string): void {
  for (let i = KINDS.length - 1; i >= 0; i--) {
    if (KINDS[i].custom && KINDS[i].group === group && KINDS[i].plural === plural) KINDS.splice(i, 1);
  }
}
