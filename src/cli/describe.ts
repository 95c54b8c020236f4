// `knit describe KIND [NAME]`: kubectl-describe-like text: identity, labels, spec and status, and the
// status conditions as an aligned table (the part people read first when something is not Ready).

import { stringify } from "yaml";
import type { KindInfo } from "../api/kinds.ts";
import type { ApiClient } from "./client.ts";
import { formatColumns } from "./get.ts";
import { apiVersionOf, collectionPath, objectPath } from "./kinds.ts";

type Obj = Record<string, unknown> & {
  metadata?: Record<string, unknown> & { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  status?: Record<string, unknown> & { conditions?: Condition[] };
};
interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  severity?: string;
}

function field(label: string, value: string): string {
  return `${`${label}:`.padEnd(14)}${value}`;
}

/** `key=value` lines with continuation lines aligned under the first, or <none>. */
function keyValues(label: string, map: Record<string, string> | undefined, sep: string): string {
  const entries = Object.entries(map ?? {}).sort(([a], [b]) => a.localeCompare(b));
  if (!entries.length) return field(label, "<none>");
  return entries.map(([k, v], i) => (i === 0 ? field(label, `${k}${sep}${v}`) : `${" ".repeat(14)}${k}${sep}${v}`)).join("\n");
}

function indentedYaml(value: unknown): string {
  const text = stringify(value).trimEnd();
  return text.split("\n").map((l) => `  ${l}`).join("\n");
}

/** The description of one object (pure: takes the object, answers text). */
export function describeObject(kind: KindInfo, obj: Obj): string {
  const meta = obj.metadata ?? {};
  const lines: string[] = [field("Name", String(meta.name ?? ""))];
  if (kind.namespaced) lines.push(field("Namespace", String(meta.namespace ?? "")));
  lines.push(keyValues("Labels", meta.labels, "="), keyValues("Annotations", meta.annotations, ": "));
  lines.push(field("API Version", String(obj.apiVersion ?? apiVersionOf(kind))), field("Kind", String(obj.kind ?? kind.kind)));
  const identity: Record<string, unknown> = {};
  for (const key of ["creationTimestamp", "deletionTimestamp", "generation", "resourceVersion", "uid", "ownerReferences", "finalizers"]) {
    if (meta[key] !== undefined) identity[key] = meta[key];
  }
  if (Object.keys(identity).length) lines.push("Metadata:", indentedYaml(identity));
  for (const [key, value] of Object.entries(obj)) {
    if (["apiVersion", "kind", "metadata", "status"].includes(key) || value === undefined) continue;
    lines.push(`${key[0].toUpperCase()}${key.slice(1)}:`, indentedYaml(value));
  }
  const { conditions, ...restStatus } = obj.status ?? {};
  if (Object.keys(restStatus).length) lines.push("Status:", indentedYaml(restStatus));
  if (conditions?.length) {
    lines.push("Conditions:");
    const rows = [["Type", "Status", "LastTransitionTime", "Reason", "Message"]];
    for (const c of conditions) {
      rows.push([c.type ?? "", c.status ?? "", c.lastTransitionTime ?? "", c.reason ?? "", c.message ?? ""]);
    }
    lines.push(formatColumns(rows).split("\n").map((l) => `  ${l}`).join("\n"));
  } else if (obj.status) {
    lines.push("Conditions:    <none>");
  }
  lines.push("Events:        <none>");
  return lines.join("\n");
}

export interface DescribeOptions {
  client: ApiClient;
  kind: KindInfo;
  name?: string;
  namespace: string;
}

/** One object by name, or every object of the kind in the namespace, separated by blank lines. */
export async function describe(opts: DescribeOptions): Promise<string> {
  const { client, kind, name } = opts;
  const ns = kind.namespaced ? opts.namespace : undefined;
  if (name) return describeObject(kind, await client.get<Obj>(objectPath(kind, ns, name)));
  const list = await client.get<{ items?: Obj[] }>(collectionPath(kind, ns));
  const items = list.items ?? [];
  if (!items.length) return "";
  return items.map((o) => describeObject(kind, o)).join("\n\n\n");
}
