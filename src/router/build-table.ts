// Builds the ingress routing table from Routes, DomainMappings and Revisions. Pure, and runs inside
// workerd (no Node imports). Route hosts come from the Route's resolved status.traffic, so a Route
// whose new target is broken keeps serving what it served before, as Knative's ingress does.

import type { DomainMapping, Revision, Route, TrafficTarget } from "../api/types.ts";
import type { ServingConfig } from "../api/config/serving-config.ts";
import type { HostRoute, RevisionTarget, RoutingTable, WeightedTarget } from "./table.ts";
import { revisionKey } from "./table.ts";
import { expandedClusterLocalHosts, routeDomain, tagHost, tagName } from "../api/config/domain.ts";
import { CONFIGURATION_LABEL, SERVICE_LABEL } from "../api/resources/labels.ts";
import { POD_REPORT_ANNOTATION, readPodReport } from "../api/pods/report.ts";
import { isWorkerImage } from "../api/store/images.ts";

export interface RoutingInput {
  routes: Route[];
  domainMappings: DomainMapping[];
  revisions: Revision[];
  config: ServingConfig;
  /** SinkBindings' env (K_SINK, K_CE_OVERRIDES) for the revisions they bind. */
  bindings?: BindingEnv[];
}

/** What a SinkBinding injects, and into which revisions of its namespace. */
export interface BindingEnv {
  namespace: string;
  subject: { kind: "Service" | "Configuration" | "Revision"; name?: string; matchLabels?: Record<string, string> };
  env: Record<string, string>;
}

function binds(b: BindingEnv, rev: Revision): boolean {
  if (b.namespace !== rev.metadata.namespace) return false;
  const labels = rev.metadata.labels ?? {};
  if (b.subject.matchLabels) return Object.entries(b.subject.matchLabels).every(([k, v]) => labels[k] === v);
  if (b.subject.kind === "Service") return labels[SERVICE_LABEL] === b.subject.name;
  if (b.subject.kind === "Configuration") return labels[CONFIGURATION_LABEL] === b.subject.name;
  return rev.metadata.name === b.subject.name;
}

export function buildRoutingTable(input: RoutingInput): Omit<RoutingTable, "version"> {
  const hosts: Record<string, HostRoute> = {};
  // The first claim on a host wins; sorting makes "first" independent of storage order.
  const claim = (host: string, route: HostRoute) => {
    const h = normaliseHost(host);
    if (route.targets.length > 0 && !hosts[h]) hosts[h] = route;
  };

  const mainTargets = new Map<string, WeightedTarget[]>();
  for (const route of sortByName(input.routes)) {
    const name = route.metadata.name!;
    const ns = route.metadata.namespace!;
    const traffic = route.status?.traffic ?? [];
    if (traffic.length === 0) continue;
    let main: { host: string; visibility: string };
    try {
      main = routeDomain({ name, namespace: ns, labels: route.metadata.labels }, input.config);
    } catch {
      continue; // a template that cannot render this route: the Route reports ErrorConfig
    }
    const targets = splitTargets(traffic);
    mainTargets.set(`${ns}/${name}`, targets);
    const routeHosts = main.visibility === "external" ? [main.host] : [];
    for (const host of [...routeHosts, ...expandedClusterLocalHosts(name, ns)]) claim(host, { namespace: ns, route: name, targets });

    for (const target of traffic) {
      if (!target.tag || !target.revisionName) continue;
      const tagTargets = [{ revision: target.revisionName, percent: 100 }];
      const external = main.visibility === "external" ? [tagHost(target.tag, name, ns, route.metadata.labels, input.config)] : [];
      const local = expandedClusterLocalHosts(tagName(target.tag, name, input.config), ns);
      for (const host of [...external, ...local]) claim(host, { namespace: ns, route: name, targets: tagTargets });
    }
  }

  for (const dm of sortByName(input.domainMappings)) {
    if (!dm.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")) continue;
    const ns = dm.metadata.namespace!;
    // Service and Route references both land on the Route of that name.
    const targets = mainTargets.get(`${ns}/${dm.spec?.ref?.name}`);
    if (targets) claim(dm.metadata.name!, { namespace: ns, route: dm.metadata.name!, targets });
  }

  const revisions: Record<string, RevisionTarget> = {};
  for (const rev of input.revisions) {
    revisions[revisionKey(rev.metadata.namespace!, rev.metadata.name!)] = revisionTarget(rev, input.config, input.bindings);
  }
  return { hosts, revisions };
}

/** The main host's split: targets with a share, one entry per revision. */
function splitTargets(traffic: TrafficTarget[]): WeightedTarget[] {
  const out: WeightedTarget[] = [];
  for (const t of traffic) {
    const percent = t.percent ?? 0;
    if (!t.revisionName || percent <= 0) continue;
    const same = out.find((w) => w.revision === t.revisionName);
    if (same) same.percent += percent;
    else out.push({ revision: t.revisionName, percent });
  }
  return out;
}

export function revisionTarget(rev: Revision, config: ServingConfig, bindings: BindingEnv[] = []): RevisionTarget {
  const container = rev.spec?.containers?.[0];
  const labels = rev.metadata.labels ?? {};
  const env: Record<string, string> = {};
  for (const e of container?.env ?? []) if (e.value !== undefined) env[e.name] = e.value;
  // Knative's runtime contract; K_SERVICE is empty for a Revision no Service owns, as in Knative.
  env.K_SERVICE = labels[SERVICE_LABEL] ?? "";
  env.K_CONFIGURATION = labels[CONFIGURATION_LABEL] ?? "";
  env.K_REVISION = rev.metadata.name!;
  for (const b of bindings) if (binds(b, rev)) Object.assign(env, b.env);

  const target: RevisionTarget = {
    namespace: rev.metadata.namespace!,
    name: rev.metadata.name!,
    configuration: labels[CONFIGURATION_LABEL] ?? "",
    image: container?.image ?? "",
    env,
    timeoutSeconds: rev.spec?.timeoutSeconds ?? config.defaults.revisionTimeoutSeconds,
    containerConcurrency: rev.spec?.containerConcurrency ?? config.defaults.containerConcurrency,
    ready: rev.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false,
    annotations: { ...rev.metadata.annotations },
  };
  // The bridge's report changes as pods come and go; it is the pod's address, not an autoscaling setting.
  delete target.annotations[POD_REPORT_ANNOTATION];
  const report = readPodReport(rev.metadata.annotations);
  if (report?.url && !isWorkerImage(target.image)) target.pod = { url: report.url, readyReplicas: report.readyReplicas };
  if (labels[SERVICE_LABEL]) target.service = labels[SERVICE_LABEL];
  const pinned = /^worker:\/\/([^@]+)@(sha256:[0-9a-f]+)$/.exec(rev.status?.containerStatuses?.[0]?.imageDigest ?? "");
  if (pinned) {
    target.scriptName = pinned[1];
    target.digest = pinned[2];
  }
  return target;
}

function normaliseHost(host: string): string {
  return host.toLowerCase().replace(/:\d+$/, "").replace(/\.$/, "");
}

function sortByName<T extends { metadata: { namespace?: string; name?: string } }>(items: T[]): T[] {
  const key = (o: T) => `${o.metadata.namespace ?? ""}/${o.metadata.name ?? ""}`;
  return [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
