// Discovery documents: /version, /api, /api/v1, /apis, /apis/GROUP/VERSION.
// Aggregated discovery (apidiscovery.k8s.io/v2) is not offered: kubectl falls back to these plain forms
// when the response is not of the aggregated type.

import { KINDS, type KindInfo } from "../kinds.ts";

const VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

export function versionInfo() {
  return {
    major: "1", minor: "32", gitVersion: "v1.32.0-knit", gitCommit: "", gitTreeState: "clean",
    buildDate: "2026-11-24T00:00:00Z", goVersion: "workerd", compiler: "workerd", platform: "workerd/any",
  };
}

export function coreApiVersions() {
  return { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: "127.0.0.1" }] };
}

function resources(kinds: KindInfo[]) {
  const out: Record<string, unknown>[] = [];
  for (const k of kinds) {
    out.push({
      name: k.plural, singularName: k.singular, namespaced: k.namespaced, kind: k.kind, verbs: VERBS,
      shortNames: k.shortNames.length ? k.shortNames : undefined, categories: k.categories.length ? k.categories : undefined,
    });
    if (k.statusSubresource) out.push({ name: `${k.plural}/status`, singularName: "", namespaced: k.namespaced, kind: k.kind, verbs: ["get", "patch", "update"] });
    if (k.scaleSubresource) {
      out.push({ name: `${k.plural}/scale`, singularName: "", namespaced: k.namespaced, group: "autoscaling", version: "v1", kind: "Scale", verbs: ["get", "patch", "update"] });
    }
  }
  return out;
}

export function coreResourceList() {
  const core = KINDS.filter((k) => k.group === "");
  return {
    kind: "APIResourceList", groupVersion: "v1",
    resources: [...resources(core), { name: "events", singularName: "event", namespaced: true, kind: "Event", verbs: ["get", "list"], shortNames: ["ev"] }],
  };
}

function groups(): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const k of KINDS) {
    if (!k.group) continue;
    const versions = m.get(k.group) ?? [];
    if (!versions.includes(k.version)) versions.push(k.version);
    m.set(k.group, versions);
  }
  return m;
}

function preferred(versions: string[]): string {
  return versions.find((v) => v === "v1") ?? versions.find((v) => v.startsWith("v1beta")) ?? versions[0];
}

export function apiGroupList() {
  return {
    kind: "APIGroupList", apiVersion: "v1",
    groups: [...groups()].map(([name, versions]) => {
      const ordered = [preferred(versions), ...versions.filter((v) => v !== preferred(versions))];
      return {
        name,
        versions: ordered.map((v) => ({ groupVersion: `${name}/${v}`, version: v })),
        preferredVersion: { groupVersion: `${name}/${ordered[0]}`, version: ordered[0] },
      };
    }),
  };
}

export function apiResourceList(group: string, version: string) {
  const kinds = KINDS.filter((k) => k.group === group && k.version === version);
  if (kinds.length === 0) return undefined;
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: `${group}/${version}`, resources: resources(kinds) };
}
