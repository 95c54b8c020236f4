// Server-side printing: the meta.k8s.io/v1 Table kubectl asks for, with Knative's printer columns.

import type { KObject } from "../types.ts";
import type { KindInfo } from "../kinds.ts";
import { evaluate } from "./jsonpath.ts";

export interface TableOptions {
  includeObject: "None" | "Metadata" | "Object";
  resourceVersion?: string;
}

export function toTable(kind: KindInfo, objects: KObject[], opts: TableOptions) {
  // A kind may place Age among its columns (Knative's eventing kinds do); otherwise it comes last.
  const ageLast = !kind.columns.some((c) => c.name === "Age");
  const columns = [
    { name: "Name", type: "string", format: "name", description: "Name of the resource", priority: 0 },
    ...kind.columns.map((c) => ({ name: c.name, type: c.type === "date" ? "string" : c.type, format: "", description: c.description ?? c.jsonPath, priority: c.priority ?? 0 })),
    ...(ageLast ? [{ name: "Age", type: "string", format: "", description: "Time since creation", priority: 0 }] : []),
  ];
  const rows = objects.map((obj) => ({
    cells: [
      obj.metadata.name,
      ...kind.columns.map((c) => {
        const value = evaluate(obj, c.jsonPath);
        return c.type === "date" ? age(typeof value === "string" ? value : undefined) : cell(value, c.jsonPath);
      }),
      ...(ageLast ? [age(obj.metadata.creationTimestamp)] : []),
    ],
    object: rowObject(obj, opts.includeObject),
  }));
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: { resourceVersion: opts.resourceVersion },
    columnDefinitions: columns,
    rows,
  };
}

/** Kubernetes' short human duration: 45s, 3m12s, 5h, 2d3h. */
export function age(created: string | undefined, now = Date.now()): string {
  if (!created) return "<unknown>";
  const s = Math.max(0, Math.floor((now - Date.parse(created)) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 ? `${m}m${s % 60}s` : `${m}m`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 && h < 8 ? `${h}h${m % 60}m` : `${h}h`;
  const d = Math.floor(h / 24);
  if (d < 8) return h % 24 ? `${d}d${h % 24}h` : `${d}d`;
  return `${d}d`;
}

function cell(value: unknown, path: string): unknown {
  if (value === undefined || value === null) return "";
  // ConfigMap's DATA column counts keys, as kubectl shows it.
  if (path === ".data" && typeof value === "object") return Object.keys(value as object).length;
  if (typeof value === "object") return JSON.stringify(value);
  return value;
}

function rowObject(obj: KObject, include: TableOptions["includeObject"]): unknown {
  if (include === "None") return undefined;
  if (include === "Object") return obj;
  return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: obj.metadata };
}
