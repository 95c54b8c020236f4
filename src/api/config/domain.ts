// Hosts of Routes and their tags, the way Knative's route reconciler computes them: config-domain
// picks the domain by label selector, tag-template names a tag's host, domain-template builds the host.

import type { ServingConfig } from "./serving-config.ts";
import { DEFAULT_DOMAIN, DEFAULT_DOMAIN_TEMPLATE } from "./parse.ts";
import { DOMAIN_TEMPLATE_FIELDS, TAG_TEMPLATE_FIELDS, renderTemplate } from "./template.ts";
import { CLUSTER_LOCAL, LEGACY_VISIBILITY_LABEL, VISIBILITY_LABEL } from "../resources/labels.ts";

export type Visibility = "external" | "cluster-local";

/** The domain of cluster-local hosts; a config-domain entry with this name makes routes cluster-local. */
export const CLUSTER_LOCAL_DOMAIN = "svc.cluster.local";

export interface RouteIdentity {
  name: string;
  namespace: string;
  labels?: Record<string, string>;
}

export function hasClusterLocalLabel(labels: Record<string, string> | undefined): boolean {
  return labels?.[VISIBILITY_LABEL] === CLUSTER_LOCAL || labels?.[LEGACY_VISIBILITY_LABEL] === CLUSTER_LOCAL;
}

/** The config-domain entry whose selector matches with the most keys; ties go to the smaller name, as in Knative. */
export function lookupDomain(labels: Record<string, string> | undefined, config: ServingConfig): string {
  if (hasClusterLocalLabel(labels)) return CLUSTER_LOCAL_DOMAIN;
  let best: string | undefined;
  let specificity = -1;
  for (const rule of config.domains) {
    const keys = Object.keys(rule.selector);
    if (!keys.every((k) => labels?.[k] === rule.selector[k])) continue;
    if (keys.length > specificity || (keys.length === specificity && best !== undefined && rule.domain < best)) {
      best = rule.domain;
      specificity = keys.length;
    }
  }
  return best ?? DEFAULT_DOMAIN;
}

export function visibilityOf(labels: Record<string, string> | undefined, config: ServingConfig): Visibility {
  return lookupDomain(labels, config) === CLUSTER_LOCAL_DOMAIN ? "cluster-local" : "external";
}

/** `{name}.{namespace}.svc.cluster.local`. */
export function clusterLocalHost(name: string, namespace: string): string {
  return `${name}.${namespace}.${CLUSTER_LOCAL_DOMAIN}`.toLowerCase();
}

/** The short forms a pod in the cluster may also use: name.ns.svc.cluster.local, name.ns.svc, name.ns. */
export function expandedClusterLocalHosts(name: string, namespace: string): string[] {
  const full = clusterLocalHost(name, namespace);
  return [full, full.slice(0, -".cluster.local".length), `${name}.${namespace}`.toLowerCase()];
}

/** Host for a name (a route's name, or a tag's name) in the route's namespace and domain. */
function hostFor(name: string, route: RouteIdentity, config: ServingConfig): { host: string; visibility: Visibility } {
  const domain = lookupDomain(route.labels, config);
  if (domain === CLUSTER_LOCAL_DOMAIN) {
    // Knative ignores a custom domain-template for cluster-local hosts.
    const host = renderTemplate(DEFAULT_DOMAIN_TEMPLATE, { Name: name, Namespace: route.namespace, Domain: domain }, DOMAIN_TEMPLATE_FIELDS);
    return { host: host.toLowerCase(), visibility: "cluster-local" };
  }
  const host = renderTemplate(config.domainTemplate, { Name: name, Namespace: route.namespace, Domain: domain }, DOMAIN_TEMPLATE_FIELDS);
  return { host: host.toLowerCase(), visibility: "external" };
}

/** The Route's main host: external unless the route is cluster-local. Throws TemplateError on a bad template. */
export function routeDomain(route: RouteIdentity, config: ServingConfig): { host: string; visibility: Visibility } {
  return hostFor(route.name, route, config);
}

/** A tag's name before the domain is added: tag-template applied to {Tag, Name}. */
export function tagName(tag: string, routeName: string, config: ServingConfig): string {
  return renderTemplate(config.tagTemplate, { Tag: tag, Name: routeName }, TAG_TEMPLATE_FIELDS);
}

/** A tagged target's host: the tag's name through the domain-template (or the cluster-local form). */
export function tagHost(
  tag: string, routeName: string, namespace: string, labels: Record<string, string> | undefined, config: ServingConfig,
): string {
  return hostFor(tagName(tag, routeName, config), { name: routeName, namespace, labels }, config).host;
}
