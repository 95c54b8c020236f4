// kubectl-style kind names on the CLI (ksvc, services.serving.knative.dev, cm, …) and API paths for them.

import { KINDS, apiVersionOf, findKindByApiVersion, storageKindOf, type KindInfo } from "../api/kinds.ts";

/** The names kubectl accepts for a kind: plural, singular, Kind, short names, and each qualified by group. */
function namesOf(k: KindInfo): string[] {
  const bare = [k.plural, k.singular, k.kind.toLowerCase(), ...k.shortNames];
  if (!k.group) return bare;
  const qualified = [k.plural, k.singular, k.kind.toLowerCase()].flatMap((n) => [
    `${n}.${k.group}`,
    `${n}.${k.version}.${k.group}`,
  ]);
  return [...bare, ...qualified];
}

/** Resolves a kind name as typed on the command line; undefined when Knit serves no such kind. */
export function resolveKind(name: string): KindInfo | undefined {
  const wanted = name.trim().toLowerCase();
  const matches = KINDS.filter((k) => namesOf(k).includes(wanted));
  if (!matches.length) return undefined;
  // A kind served in several versions answers in its storage (preferred) version unless one was named.
  const exact = matches.find((k) => wanted.includes(`.${k.version}.`));
  return exact ?? storageKindOf(matches[0]);
}

/** Every name `knit get` accepts, for help and error messages. */
export function kindNamesHelp(): string {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const k of KINDS) {
    const key = `${k.plural}.${k.group}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const short = k.shortNames.length ? ` (${k.shortNames.join(", ")})` : "";
    lines.push(`${k.group ? `${k.plural}.${k.group}` : k.plural}${short}`);
  }
  return lines.join("\n");
}

export class UnknownKindError extends Error {
  constructor(name: string) {
    super(`the server doesn't have a resource type "${name}"\nknown types:\n  ${kindNamesHelp().split("\n").join("\n  ")}`);
  }
}

export function requireKind(name: string): KindInfo {
  const k = resolveKind(name);
  if (!k) throw new UnknownKindError(name);
  return k;
}

/** The kind of a manifest object, from its apiVersion and kind. */
export function kindOfObject(obj: { apiVersion?: unknown; kind?: unknown }): KindInfo {
  const apiVersion = typeof obj.apiVersion === "string" ? obj.apiVersion : "";
  const kind = typeof obj.kind === "string" ? obj.kind : "";
  if (!apiVersion || !kind) throw new Error(`object has no apiVersion or kind: ${JSON.stringify(obj).slice(0, 120)}`);
  const k = findKindByApiVersion(apiVersion, kind);
  if (!k) throw new Error(`no matches for kind "${kind}" in version "${apiVersion}" (Knit does not serve it)`);
  return k;
}

/** The collection path of a kind, namespaced when the kind is. */
export function collectionPath(k: KindInfo, namespace: string | undefined): string {
  const base = k.group ? `/apis/${k.group}/${k.version}` : `/api/${k.version}`;
  const ns = k.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : "";
  return `${base}${ns}/${k.plural}`;
}

export function objectPath(k: KindInfo, namespace: string | undefined, name: string): string {
  return `${collectionPath(k, namespace)}/${encodeURIComponent(name)}`;
}

/** kubectl's way of naming a kind in output: "service.serving.knative.dev", "configmap". */
export function displayKind(k: KindInfo): string {
  return k.group ? `${k.singular}.${k.group}` : k.singular;
}

/** kubectl's plural form for messages such as `services.serving.knative.dev "x" deleted`. */
export function displayResource(k: KindInfo): string {
  return k.group ? `${k.plural}.${k.group}` : k.plural;
}

export { apiVersionOf };
