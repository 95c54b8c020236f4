// Sources' and bindings' runtime configurations as pure functions of the objects: a source runs, and a
// binding injects, once its sink has resolved.

import type { ApiServerSource, ContainerSource, KObject, PingSource, SinkBinding } from "../types.ts";
import type { LogConfig } from "../../eventing/log-config.ts";
import type { StoredEvent } from "../../eventing/cloudevent.ts";
import { KINDS } from "../kinds.ts";
import type { PingConfig } from "../../eventing/sources/ping.ts";
import type { SourceRunConfig } from "../../eventing/sources/container.ts";
import type { BindingEnv } from "../../router/build-table.ts";
import { BINDABLE_KINDS } from "../reconcilers/sources.ts";

export function pingConfigs(sources: PingSource[]): PingConfig[] {
  return sources.filter((s) => s.status?.sinkUri && s.spec?.schedule).map((s) => {
    const spec = s.spec!;
    return {
      namespace: s.metadata.namespace!,
      name: s.metadata.name!,
      schedule: spec.schedule!,
      ...(spec.timezone ? { timezone: spec.timezone } : {}),
      ...(spec.contentType ? { contentType: spec.contentType } : {}),
      ...(spec.data !== undefined ? { data: spec.data } : {}),
      ...(spec.dataBase64 !== undefined ? { dataBase64: spec.dataBase64 } : {}),
      sinkUri: s.status!.sinkUri!,
      ...(spec.ceOverrides?.extensions ? { extensions: spec.ceOverrides.extensions } : {}),
    };
  });
}

/** What each SinkBinding injects (K_SINK, K_CE_OVERRIDES) and into which revisions, once its sink resolved. */
export function bindingEnvs(bindings: SinkBinding[]): BindingEnv[] {
  return bindings.flatMap((b) => {
    const subject = b.spec?.subject;
    const sinkUri = b.status?.sinkUri;
    if (!subject || !sinkUri || !BINDABLE_KINDS.includes(subject.kind) || !subject.apiVersion?.startsWith("serving.knative.dev/")) return [];
    const env: Record<string, string> = { K_SINK: sinkUri };
    if (b.spec?.ceOverrides) env.K_CE_OVERRIDES = JSON.stringify(b.spec.ceOverrides);
    return [{
      namespace: subject.namespace ?? b.metadata.namespace!,
      subject: { kind: subject.kind as BindingEnv["subject"]["kind"], ...(subject.name ? { name: subject.name } : {}), ...(subject.selector?.matchLabels ? { matchLabels: subject.selector.matchLabels } : {}) },
      env,
    }];
  });
}

/** A ContainerSource runs its worker once its image is pinned and its sink resolved. */
export function containerSourceConfigs(sources: ContainerSource[]): SourceRunConfig[] {
  return sources.filter((s) => s.status?.image && s.status?.sinkUri).map((s) => {
    const container = s.spec!.template.spec.containers[0];
    const env: Record<string, string> = {};
    for (const e of container.env ?? []) if (e.value !== undefined) env[e.name] = e.value;
    env.K_SINK = s.status!.sinkUri!;
    if (s.spec?.ceOverrides) env.K_CE_OVERRIDES = JSON.stringify(s.spec.ceOverrides);
    // Workers have no argv: the container's args reach the worker as JSON in K_ARGS.
    if (container.args?.length) env.K_ARGS = JSON.stringify(container.args);
    return { namespace: s.metadata.namespace!, name: s.metadata.name!, image: s.status!.image!, env };
  });
}

/** The event log an ApiServerSource's events go through (durable, retried) on their way to its sink. */
export function apiServerSourceLogName(namespace: string, name: string): string {
  return `apiserversource:${namespace}/${name}`;
}

export function apiServerSourceLogConfigs(sources: ApiServerSource[]): LogConfig[] {
  return sources.filter((s) => s.status?.sinkUri).map((s) => ({
    kind: "source" as const,
    namespace: s.metadata.namespace!,
    name: s.metadata.name!,
    targets: [{ id: `${s.metadata.namespace}/${s.metadata.name}`, subscriberUri: s.status!.sinkUri! }],
  }));
}

/** Where Knit's API server events say they come from (Knative puts the API server's URL here). */
export const API_SERVER_SOURCE = "https://kubernetes.default.svc";

/**
 * The events Knative's ApiServerSource adapter would send for one change: for each source in the
 * object's namespace watching its apiVersion and kind (and matching its label selector), a
 * dev.knative.apiserver.resource.* event carrying the object (mode Resource) or a
 * dev.knative.apiserver.ref.* event carrying a reference to it (mode Reference, the default).
 */
export function apiServerEvents(sources: ApiServerSource[], change: { type: "ADDED" | "MODIFIED" | "DELETED"; object: KObject }, makeId: () => string, now: Date): { log: string; event: StoredEvent }[] {
  const obj = change.object;
  const ns = obj.metadata.namespace;
  const verb = change.type === "ADDED" ? "add" : change.type === "MODIFIED" ? "update" : "delete";
  const kind = KINDS.find((k) => (k.group ? `${k.group}/${k.version}` : k.version) === obj.apiVersion && k.kind === obj.kind);
  const subject = kind
    ? `/${kind.group ? `apis/${kind.group}` : "api"}/${kind.version}/${ns ? `namespaces/${ns}/` : ""}${kind.plural}/${obj.metadata.name}`
    : `/${obj.apiVersion}/${obj.kind}/${obj.metadata.name}`;
  const out: { log: string; event: StoredEvent }[] = [];
  for (const s of sources) {
    if (!s.status?.sinkUri || s.metadata.namespace !== ns) continue;
    const watched = (s.spec?.resources ?? []).some((r) => r.apiVersion === obj.apiVersion && r.kind === obj.kind &&
      Object.entries(r.selector?.matchLabels ?? {}).every(([k, v]) => obj.metadata.labels?.[k] === v));
    if (!watched) continue;
    const resourceMode = s.spec?.mode === "Resource";
    const event: StoredEvent = {
      specversion: "1.0",
      id: makeId(),
      source: API_SERVER_SOURCE,
      type: `dev.knative.apiserver.${resourceMode ? "resource" : "ref"}.${verb}`,
      subject,
      time: now.toISOString(),
      datacontenttype: "application/json",
      data: resourceMode ? obj : { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name, namespace: ns },
      apiversion: obj.apiVersion,
      kind: obj.kind,
      name: obj.metadata.name!,
      ...(ns ? { namespace: ns } : {}),
      ...s.spec?.ceOverrides?.extensions,
    };
    out.push({ log: apiServerSourceLogName(s.metadata.namespace!, s.metadata.name!), event });
  }
  return out;
}
