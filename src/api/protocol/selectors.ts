// Label and field selectors as Kubernetes parses them.

import type { KObject } from "../types.ts";
import { BadRequestError } from "../errors.ts";

type Labels = Record<string, string>;
type Requirement = (labels: Labels) => boolean;

/** Splits on commas that are not inside parentheses ("a in (x,y),b"). */
function splitTerms(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of s) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out.map((t) => t.trim()).filter(Boolean);
}

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;

function checkKey(key: string, selector: string): string {
  if (!KEY.test(key)) throw new BadRequestError(`unable to parse requirement: invalid label key "${key}" in selector "${selector}"`);
  return key;
}

function parseTerm(term: string, selector: string): Requirement {
  let m = term.match(/^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/);
  if (m) {
    const key = checkKey(m[1], selector);
    const values = new Set(m[3].split(",").map((v) => v.trim()).filter(Boolean));
    return m[2] === "in" ? (l) => key in l && values.has(l[key]) : (l) => !(key in l) || !values.has(l[key]);
  }
  m = term.match(/^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/);
  if (m) {
    const key = checkKey(m[1], selector);
    const value = m[3];
    return m[2] === "!=" ? (l) => l[key] !== value : (l) => l[key] === value;
  }
  m = term.match(/^!\s*(\S+)$/);
  if (m) {
    const key = checkKey(m[1], selector);
    return (l) => !(key in l);
  }
  const key = checkKey(term, selector);
  return (l) => key in l;
}

export function compileLabelSelector(selector: string): (labels: Labels) => boolean {
  const reqs = splitTerms(selector).map((t) => parseTerm(t, selector));
  return (labels) => reqs.every((r) => r(labels));
}

const FIELDS: Record<string, (o: KObject) => string | undefined> = {
  "metadata.name": (o) => o.metadata.name,
  "metadata.namespace": (o) => o.metadata.namespace,
};

export function compileFieldSelector(selector: string): (obj: KObject) => boolean {
  const reqs = splitTerms(selector).map((term) => {
    const m = term.match(/^([^=!]+)(==|=|!=)(.*)$/);
    if (!m) throw new BadRequestError(`invalid field selector "${selector}"`);
    const get = FIELDS[m[1].trim()];
    if (!get) throw new BadRequestError(`field label not supported: ${m[1].trim()}`);
    const value = m[3].trim();
    return m[2] === "!=" ? (o: KObject) => get(o) !== value : (o: KObject) => get(o) === value;
  });
  return (obj) => reqs.every((r) => r(obj));
}
