// Parses Knative's serving ConfigMaps (namespace knative-serving) into a ServingConfig, with Knative's
// keys and defaults. Invalid values fall back to the default: the ConfigMap webhook
// (validateServingConfigMap) is where users hear about them.

import { parse as parseYaml } from "yaml";
import type { ConfigMap } from "../types.ts";
import type { DomainRule, ServingConfig } from "./serving-config.ts";
import { DOMAIN_TEMPLATE_FIELDS, TAG_TEMPLATE_FIELDS, renderTemplate } from "./template.ts";

export const DEFAULT_DOMAIN = "example.com";
export const DEFAULT_DOMAIN_TEMPLATE = "{{.Name}}.{{.Namespace}}.{{.Domain}}";
export const DEFAULT_TAG_TEMPLATE = "{{.Tag}}-{{.Name}}";

export function defaultServingConfig(): ServingConfig {
  return {
    domains: [{ domain: DEFAULT_DOMAIN, selector: {} }],
    domainTemplate: DEFAULT_DOMAIN_TEMPLATE,
    tagTemplate: DEFAULT_TAG_TEMPLATE,
    autocreateClusterDomainClaims: false,
    defaults: {
      revisionTimeoutSeconds: 300,
      maxRevisionTimeoutSeconds: 600,
      containerConcurrency: 0,
      containerConcurrencyMaxLimit: 1000,
    },
    autoscaler: {},
  };
}

export function parseServingConfig(configMaps: ConfigMap[]): ServingConfig {
  const config = defaultServingConfig();
  const data = (name: string) => configMaps.find((cm) => cm.metadata.name === name)?.data ?? {};

  const domains = parseDomains(data("config-domain")).rules;
  if (domains.length > 0) config.domains = domains;

  const network = data("config-network");
  // Knative still reads the old camelCase keys; the kebab-case ones win when both are present.
  const domainTemplate = network["domain-template"] ?? network.domainTemplate;
  if (domainTemplate !== undefined && domainTemplateError(domainTemplate) === undefined) config.domainTemplate = domainTemplate;
  const tagTemplate = network["tag-template"] ?? network.tagTemplate;
  if (tagTemplate !== undefined && tagTemplateError(tagTemplate) === undefined) config.tagTemplate = tagTemplate;
  const autocreate = parseBool(network["autocreate-cluster-domain-claims"] ?? network.autocreateClusterDomainClaims);
  if (autocreate !== undefined) config.autocreateClusterDomainClaims = autocreate;

  const defaults = data("config-defaults");
  const d = config.defaults;
  d.revisionTimeoutSeconds = parseCount(defaults["revision-timeout-seconds"]) ?? d.revisionTimeoutSeconds;
  d.maxRevisionTimeoutSeconds = parseCount(defaults["max-revision-timeout-seconds"]) ?? d.maxRevisionTimeoutSeconds;
  d.containerConcurrency = parseCount(defaults["container-concurrency"]) ?? d.containerConcurrency;
  d.containerConcurrencyMaxLimit = parseCount(defaults["container-concurrency-max-limit"]) ?? d.containerConcurrencyMaxLimit;

  config.autoscaler = { ...data("config-autoscaler") };
  return config;
}

/** What Knative's ConfigMap webhook would reject in one of these ConfigMaps (empty when valid). */
export function validateServingConfigMap(cm: ConfigMap): string[] {
  const data = cm.data ?? {};
  switch (cm.metadata.name) {
    case "config-domain":
      return parseDomains(data).errors;
    case "config-network": {
      const errors: string[] = [];
      const dt = data["domain-template"] ?? data.domainTemplate;
      const tt = data["tag-template"] ?? data.tagTemplate;
      const dtError = dt === undefined ? undefined : domainTemplateError(dt);
      const ttError = tt === undefined ? undefined : tagTemplateError(tt);
      if (dtError) errors.push(`domain-template: ${dtError}`);
      if (ttError) errors.push(`tag-template: ${ttError}`);
      const ac = data["autocreate-cluster-domain-claims"];
      if (ac !== undefined && parseBool(ac) === undefined) errors.push(`autocreate-cluster-domain-claims: not a boolean: ${JSON.stringify(ac)}`);
      return errors;
    }
    case "config-defaults": {
      const keys = ["revision-timeout-seconds", "max-revision-timeout-seconds", "container-concurrency", "container-concurrency-max-limit"];
      return keys
        .filter((k) => data[k] !== undefined && parseCount(data[k]) === undefined)
        .map((k) => `${k}: not a non-negative integer: ${JSON.stringify(data[k])}`);
    }
    default:
      return [];
  }
}

/**
 * config-domain: each key is a domain; its value is "" (the default domain) or YAML `selector: {label: value}`.
 * When no entry has an empty selector, example.com is the default, as DESIGN.md promises.
 */
function parseDomains(data: Record<string, string>): { rules: DomainRule[]; errors: string[] } {
  const rules: DomainRule[] = [];
  const errors: string[] = [];
  for (const [domain, value] of Object.entries(data)) {
    if (domain.startsWith("_")) continue; // _example holds documentation, as in Knative's shipped ConfigMap
    let selector: Record<string, string> = {};
    try {
      const parsed: unknown = value.trim() === "" ? null : parseYaml(value);
      const raw = parsed && typeof parsed === "object" ? (parsed as { selector?: unknown }).selector : undefined;
      if (raw && typeof raw === "object" && !Array.isArray(raw)) {
        selector = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, String(v)]));
      }
    } catch (err) {
      errors.push(`${domain}: invalid YAML: ${(err as Error).message}`);
      continue;
    }
    rules.push({ domain: domain.toLowerCase(), selector });
  }
  if (rules.length > 0 && !rules.some((r) => Object.keys(r.selector).length === 0)) {
    rules.push({ domain: DEFAULT_DOMAIN, selector: {} });
  }
  rules.sort((a, b) => (a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : 0));
  return { rules, errors };
}

/** Renders the template with sample values, as Knative does, and checks the result is a bare host. */
function domainTemplateError(template: string): string | undefined {
  return sampleHostError(template, { Name: "foo", Namespace: "bar", Domain: "baz.com" }, DOMAIN_TEMPLATE_FIELDS);
}

function tagTemplateError(template: string): string | undefined {
  return sampleHostError(template, { Name: "foo", Tag: "bar" }, TAG_TEMPLATE_FIELDS);
}

function sampleHostError(template: string, values: Record<string, string>, fields: typeof DOMAIN_TEMPLATE_FIELDS): string | undefined {
  let host: string;
  try {
    host = renderTemplate(template, values, fields);
  } catch (err) {
    return (err as Error).message;
  }
  if (host === "") return "empty hostname";
  if (!/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(host)) return `template produces an invalid host: ${JSON.stringify(host)}`;
  return undefined;
}

function parseBool(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  const v = value.trim().toLowerCase();
  if (v === "true") return true;
  if (v === "false") return false;
  return undefined;
}

function parseCount(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\d+\s*$/.test(value)) return undefined;
  return Number(value.trim());
}
