// OpenAPI v3 documents, enough for kubectl's client-side validation and `kubectl explain`.
// Specs and statuses keep unknown fields: Knative's webhook-style validation runs on the server.

import { KINDS, type KindInfo } from "../kinds.ts";

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

function schemaName(k: KindInfo): string {
  if (!k.group) return `io.k8s.api.core.${k.version}.${k.kind}`;
  const reversed = k.group.split(".").reverse().join(".");
  return `${reversed}.${k.version}.${k.kind}`;
}

const open = { type: "object", "x-kubernetes-preserve-unknown-fields": true };

const DESCRIPTIONS: Record<string, string> = {
  Service: "Service acts as a top-level container that manages a Route and Configuration which implement a network service.",
  Configuration: "Configuration represents the \"floating HEAD\" of a linear history of Revisions.",
  Revision: "Revision is an immutable snapshot of code and configuration.",
  Route: "Route is responsible for configuring ingress over a collection of Revisions.",
  DomainMapping: "DomainMapping is a mapping from a custom hostname to an Addressable.",
  ClusterDomainClaim: "ClusterDomainClaim is a cluster-wide reservation for a particular domain name.",
  ConfigMap: "ConfigMap holds configuration data for pods to consume.",
  Namespace: "Namespace provides a scope for Names.",
};

const templateSchema = {
  type: "object",
  description: "Template holds the latest specification for the Revision to be stamped out.",
  properties: {
    metadata: { ...open, description: "Revision metadata: name ({service}-{suffix}), labels and annotations (autoscaling.knative.dev/*)." },
    spec: {
      ...open,
      description: "RevisionSpec: containers (image worker://… or a container image), containerConcurrency, timeoutSeconds.",
      properties: {
        containers: { type: "array", items: { ...open, properties: { image: { type: "string" }, env: { type: "array", items: open } } } },
        containerConcurrency: { type: "integer", format: "int64" },
        timeoutSeconds: { type: "integer", format: "int64" },
      },
    },
  },
};

const trafficSchema = {
  type: "array",
  description: "Traffic specifies how to distribute traffic over a collection of revisions and configurations.",
  items: {
    type: "object",
    properties: {
      tag: { type: "string" }, revisionName: { type: "string" }, configurationName: { type: "string" },
      latestRevision: { type: "boolean" }, percent: { type: "integer", format: "int64" }, url: { type: "string" },
    },
  },
};

function specSchema(k: KindInfo): Record<string, unknown> {
  if (k.kind === "Service") return { ...open, properties: { template: templateSchema, traffic: trafficSchema } };
  if (k.kind === "Configuration") return { ...open, properties: { template: templateSchema } };
  if (k.kind === "Route") return { ...open, properties: { traffic: trafficSchema } };
  return open;
}

function kindSchema(k: KindInfo): Record<string, unknown> {
  const properties: Record<string, unknown> = {
    apiVersion: { type: "string", description: "APIVersion defines the versioned schema of this representation of an object." },
    kind: { type: "string", description: "Kind is a string value representing the REST resource this object represents." },
    metadata: { ...open, description: "Standard object's metadata." },
  };
  if (k.kind === "ConfigMap") {
    properties.data = { type: "object", additionalProperties: { type: "string" } };
    properties.binaryData = { type: "object", additionalProperties: { type: "string", format: "byte" } };
    properties.immutable = { type: "boolean" };
  } else {
    properties.spec = specSchema(k);
    properties.status = open;
  }
  return {
    type: "object",
    description: DESCRIPTIONS[k.kind] ?? k.kind,
    properties,
    "x-kubernetes-group-version-kind": [{ group: k.group, kind: k.kind, version: k.version }],
  };
}

export function openApiIndex() {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const k of KINDS) {
    const p = gvPath(k.group, k.version);
    paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=knit-${k.group || "core"}-${k.version}` };
  }
  return { paths };
}

// kubectl looks for a PATCH operation tagged with the kind's GVK that takes `fieldValidation` (and
// `dryRun`): when present it leaves field validation to the server instead of validating against OpenAPI v2.
const QUERY_PARAMS = ["fieldValidation", "dryRun", "fieldManager"].map((name) => ({ name, in: "query", schema: { type: "string", uniqueItems: true } }));

function itemPath(k: KindInfo): string {
  const base = `/${gvPath(k.group, k.version)}`;
  return k.namespaced ? `${base}/namespaces/{namespace}/${k.plural}/{name}` : `${base}/${k.plural}/{name}`;
}

function operations(k: KindInfo): Record<string, unknown> {
  const gvk = { group: k.group, version: k.version, kind: k.kind };
  const ref = { $ref: `#/components/schemas/${schemaName(k)}` };
  const ok = { "200": { description: "OK", content: { "application/json": { schema: ref } } } };
  const op = (action: string) => ({
    operationId: `${action}${k.kind}`,
    "x-kubernetes-action": action,
    "x-kubernetes-group-version-kind": gvk,
    parameters: QUERY_PARAMS,
    responses: ok,
  });
  return {
    get: op("get"),
    put: { ...op("put"), requestBody: { content: { "application/json": { schema: ref } } } },
    patch: { ...op("patch"), requestBody: { content: { "application/merge-patch+json": { schema: { type: "object" } } } } },
    delete: op("delete"),
  };
}

export function openApiDocument(group: string, version: string) {
  const kinds = KINDS.filter((k) => k.group === group && k.version === version);
  if (kinds.length === 0) return undefined;
  const schemas: Record<string, unknown> = {};
  const paths: Record<string, unknown> = {};
  for (const k of kinds) {
    schemas[schemaName(k)] = kindSchema(k);
    paths[itemPath(k)] = operations(k);
  }
  return {
    openapi: "3.0.0",
    info: { title: "Knit", version: "v1" },
    paths,
    components: { schemas },
  };
}
