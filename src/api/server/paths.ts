// Kubernetes resource paths: /api/v1/... and /apis/GROUP/VERSION/..., namespaced or not.

import type { KindInfo } from "../kinds.ts";
import { KINDS } from "../kinds.ts";
import { NotFoundError } from "../errors.ts";

export interface ResourcePath {
  kind: KindInfo;
  /** Namespace in the path; undefined for cluster-scoped kinds and all-namespace lists. */
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** Parses a resource path, or returns undefined when the path is not a resource path at all. */
export function parseResourcePath(pathname: string): ResourcePath | undefined {
  const parts = pathname.split("/").filter(Boolean).map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === "api" && parts.length >= 3) {
    group = "";
    version = parts[1];
    rest = parts.slice(2);
  } else if (parts[0] === "apis" && parts.length >= 4) {
    group = parts[1];
    version = parts[2];
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  let namespace: string | undefined;
  // "namespaces/NS/PLURAL..." addresses namespaced objects; "namespaces[/NAME]" alone is the Namespace kind.
  if (rest[0] === "namespaces" && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural, name, subresource] = rest;
  const kind = KINDS.find((k) => k.group === group && k.version === version && k.plural === plural);
  if (!kind) {
    throw new NotFoundError(group ? `${plural}.${group}` : plural ?? "resource", name ?? "", undefined, group);
  }
  if (!kind.namespaced) namespace = undefined;
  return { kind, namespace, name, subresource };
}
