// `knit get KIND [NAME] [-o yaml|json|wide|name] [-A]`: server-side printed tables, like kubectl.

import { stringify } from "yaml";
import type { KindInfo } from "../api/kinds.ts";
import type { ApiClient } from "./client.ts";
import { apiVersionOf, collectionPath, displayKind, objectPath } from "./kinds.ts";

export const TABLE_ACCEPT = "application/json;as=Table;v=v1;g=meta.k8s.io, application/json";

export interface TableColumn {
  name: string;
  type?: string;
  priority?: number;
}
export interface TableRow {
  cells: unknown[];
  object?: { metadata?: { name?: string; namespace?: string; creationTimestamp?: string } };
}
export interface Table {
  kind: "Table";
  columnDefinitions: TableColumn[];
  rows: TableRow[];
}

type Obj = { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string; creationTimestamp?: string }; [k: string]: unknown };

/** Aligns rows into columns separated by three spaces (kubectl's tabwriter padding). */
export function formatColumns(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] + 3))).join("").trimEnd())
    .join("\n");
}

/** A cell as kubectl shows it: absent → blank (`kubectl get ksvc` leaves REASON empty when Ready), lists comma-joined. */
export function formatCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) return value.map(formatCell).join(",");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** Renders a server Table: priority-0 columns (all with wide), upper-cased headers, optional NAMESPACE first. */
export function renderTable(table: Table, opts: { wide?: boolean; withNamespace?: boolean } = {}): string {
  const shown = table.columnDefinitions.map((c, i) => ({ c, i })).filter(({ c }) => opts.wide || !c.priority);
  const header = shown.map(({ c }) => c.name.toUpperCase());
  const rows = table.rows.map((r) => shown.map(({ i }) => formatCell(r.cells[i])));
  if (opts.withNamespace) {
    header.unshift("NAMESPACE");
    table.rows.forEach((r, j) => rows[j].unshift(r.object?.metadata?.namespace ?? ""));
  }
  return formatColumns([header, ...rows]);
}

/** A table built on this side when the server answers plain JSON: NAME and AGE. */
export function fallbackTable(items: Obj[], now = Date.now()): Table {
  return {
    kind: "Table",
    columnDefinitions: [{ name: "Name" }, { name: "Age" }],
    rows: items.map((o) => ({ cells: [o.metadata?.name, age(o.metadata?.creationTimestamp, now)], object: o })),
  };
}

/** kubectl's short age: 45s, 12m, 3h, 2d. */
export function age(timestamp: string | undefined, now = Date.now()): string {
  const t = timestamp ? Date.parse(timestamp) : NaN;
  if (Number.isNaN(t)) return "<unknown>";
  const s = Math.max(0, Math.floor((now - t) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

export interface GetOptions {
  client: ApiClient;
  kind: KindInfo;
  name?: string;
  namespace: string;
  allNamespaces?: boolean;
  output?: string;
}

/** Answers the text to print (empty-list message goes to `notice`, as kubectl writes it to stderr). */
export async function get(opts: GetOptions): Promise<{ text: string; notice?: string }> {
  const { client, kind, name } = opts;
  const ns = opts.allNamespaces && !name ? undefined : opts.namespace;
  const path = name ? objectPath(kind, ns, name) : collectionPath(kind, ns);
  const output = opts.output ?? "";
  if (output === "" || output === "wide") {
    const answer = await client.get<Table | Obj>(path, TABLE_ACCEPT);
    const table = isTable(answer) ? answer : fallbackTable(name ? [answer] : (((answer as { items?: Obj[] }).items) ?? []));
    if (!table.rows.length) return { text: "", notice: noResources(kind, ns) };
    return { text: renderTable(table, { wide: output === "wide", withNamespace: !ns && kind.namespaced }) };
  }
  const answer = await client.get<Obj & { items?: Obj[] }>(path);
  const items = name ? [answer] : (answer.items ?? []);
  // List items may omit apiVersion/kind (Kubernetes lists do); kubectl fills them in for output.
  for (const item of items) {
    item.apiVersion ??= apiVersionOf(kind);
    item.kind ??= kind.kind;
  }
  if (output === "name") return { text: items.map((o) => `${displayKind(kind)}/${o.metadata?.name}`).join("\n") };
  if (!name && !items.length && output !== "json" && output !== "yaml") return { text: "", notice: noResources(kind, ns) };
  const doc = name ? answer : { apiVersion: "v1", kind: "List", items, metadata: { resourceVersion: "" } };
  if (output === "json") return { text: JSON.stringify(doc, null, 4) };
  if (output === "yaml") return { text: stringify(doc).trimEnd() };
  throw new Error(`unknown output format "${output}" (use yaml, json, wide or name)`);
}

function isTable(x: unknown): x is Table {
  return !!x && typeof x === "object" && (x as { kind?: string }).kind === "Table" && Array.isArray((x as Table).rows);
}

function noResources(kind: KindInfo, ns: string | undefined): string {
  return kind.namespaced && ns ? `No resources found in ${ns} namespace.` : "No resources found";
}
