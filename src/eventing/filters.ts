// Trigger filters as Knative evaluates them: `spec.filter.attributes` (exact match; an empty value means
// "any value", but the attribute must be present) and, when non-empty, the SubscriptionsAPI
// `spec.filters` (exact, prefix, suffix, all, any, not; every filter must pass), which then replaces it.

import type { SubscriptionsAPIFilter } from "../api/types.ts";

export type EventAttributes = Record<string, string>;

export interface FieldProblem {
  field: string;
  message: string;
}

export function matchesTrigger(filter: { attributes?: Record<string, string> } | undefined, filters: SubscriptionsAPIFilter[] | undefined, event: EventAttributes): boolean {
  if (filters && filters.length > 0) return filters.every((f) => matches(f, event));
  for (const [name, want] of Object.entries(filter?.attributes ?? {})) {
    const have = event[name];
    if (have === undefined) return false;
    if (want !== "" && want !== have) return false;
  }
  return true;
}

function everyEntry(map: Record<string, string>, event: EventAttributes, test: (have: string, want: string) => boolean): boolean {
  return Object.entries(map).every(([name, want]) => event[name] !== undefined && test(event[name], want));
}

function matches(f: SubscriptionsAPIFilter, event: EventAttributes): boolean {
  if (f.exact) return everyEntry(f.exact, event, (have, want) => have === want);
  if (f.prefix) return everyEntry(f.prefix, event, (have, want) => have.startsWith(want));
  if (f.suffix) return everyEntry(f.suffix, event, (have, want) => have.endsWith(want));
  if (f.all) return f.all.every((g) => matches(g, event));
  if (f.any) return f.any.some((g) => matches(g, event));
  if (f.not) return !matches(f.not, event);
  // cesql is refused by validation; an empty filter passes everything.
  return true;
}

const DIALECTS = ["exact", "prefix", "suffix", "all", "any", "not", "cesql"] as const;
const ATTRIBUTE_NAME = /^[a-z0-9]+$/;

/** Knative's validation of spec.filters, with field paths. */
export function validateFilters(filters: SubscriptionsAPIFilter[] | undefined, path = "spec.filters"): FieldProblem[] {
  return (filters ?? []).flatMap((f, i) => validateFilter(f, `${path}[${i}]`));
}

function validateFilter(f: SubscriptionsAPIFilter, path: string): FieldProblem[] {
  if (!f || typeof f !== "object") return [{ field: path, message: "must be an object" }];
  const set = DIALECTS.filter((d) => (f as Record<string, unknown>)[d] !== undefined);
  if (set.length > 1) return [{ field: path, message: `expected exactly one dialect, got: ${set.join(", ")}` }];
  if (set.length === 0) return [];
  const dialect = set[0];
  switch (dialect) {
    case "exact":
    case "prefix":
    case "suffix": {
      const map = f[dialect]!;
      const entries = Object.entries(map);
      if (entries.length !== 1) return [{ field: `${path}.${dialect}`, message: `expected exactly one attribute, got ${entries.length}` }];
      const [name, value] = entries[0];
      if (!ATTRIBUTE_NAME.test(name)) return [{ field: `${path}.${dialect}`, message: `invalid attribute name "${name}": lower case letters and digits only` }];
      if (dialect !== "exact" && value === "") return [{ field: `${path}.${dialect}.${name}`, message: "the value must not be empty" }];
      return [];
    }
    case "all":
    case "any":
      return (f[dialect] ?? []).flatMap((g, i) => validateFilter(g, `${path}.${dialect}[${i}]`));
    case "not":
      return validateFilter(f.not!, `${path}.not`);
    case "cesql":
      return [{ field: `${path}.cesql`, message: "CESQL filters are not supported by Knit; use exact, prefix, suffix, all, any or not" }];
  }
}
