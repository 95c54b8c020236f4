// Event sources and SinkBinding: spec.sink resolves to status.sinkUri (SinkProvided); what runs them
// (a Durable Object per source, env injected into bound revisions) takes its configuration from the
// Store once the sink has resolved.

import type { ApiServerSource, ContainerSource, ContainerSourceStatus, KObject, SinkBinding, SourceStatus } from "../types.ts";
import type { Reconciler, World } from "./world.ts";
import { generationOf, livingConditions, markFalse, markTrue, type Mark } from "./conditions.ts";
import { resolveDestination } from "./addressable.ts";

function sinkMark(obj: KObject<{ sink?: unknown }>, world: World, status: SourceStatus): Mark {
  delete status.sinkUri;
  const sink = resolveDestination((obj.spec as { sink?: never } | undefined)?.sink, obj.metadata.namespace!, world);
  if (!sink.ok) return markFalse("NotFound", `Could not resolve sink URI: ${sink.message}`);
  status.sinkUri = sink.uri;
  return markTrue();
}

function sourceReconciler(extra: (obj: KObject, world: World, status: SourceStatus, sinkOk: boolean) => Record<string, Mark>): Reconciler {
  return (obj, world) => {
    const previous = (obj.status ?? {}) as SourceStatus;
    const status: SourceStatus = { ...previous, observedGeneration: generationOf(obj) };
    const sink = sinkMark(obj as KObject<{ sink?: unknown }>, world, status);
    const marks = { SinkProvided: sink, ...extra(obj, world, status, sink.status === "True") };
    status.conditions = livingConditions(previous.conditions, marks, Object.keys(marks), world.now);
    return { status };
  };
}

const runsOnceSinkResolves = (ok: boolean): Mark => (ok ? markTrue() : markFalse("SinkNotResolved", "the source runs once its sink resolves"));

export const reconcilePingSource = sourceReconciler((_o, _w, _s, ok) => ({ Deployed: runsOnceSinkResolves(ok) }));

/** Subjects Knit can inject into: the revisions of a Knative Service or Configuration, or one Revision. */
export const BINDABLE_KINDS = ["Service", "Configuration", "Revision"];

export const reconcileSinkBinding = sourceReconciler((obj) => {
  const subject = (obj as SinkBinding).spec?.subject;
  const group = subject?.apiVersion?.split("/")[0];
  const supported = group === "serving.knative.dev" && BINDABLE_KINDS.includes(subject?.kind ?? "");
  return {
    BindingAvailable: supported
      ? markTrue()
      : markFalse("SubjectUnsupported", `Knit binds Knative Services, Configurations and Revisions (serving.knative.dev/v1); ${subject?.apiVersion ?? ""} ${subject?.kind ?? ""} has no pods here`),
  };
});

export const reconcileContainerSource = sourceReconciler((obj, world, status, ok) => {
  const cs = obj as ContainerSource;
  const s = status as ContainerSourceStatus;
  delete s.image;
  const image = cs.spec?.template?.spec?.containers?.[0]?.image;
  if (!image) return { ReceiveAdapterReady: markFalse("NoImage", "spec.template.spec.containers[0].image is required") };
  const resolved = world.resolveImage(image);
  if (resolved.kind === "error") return { ReceiveAdapterReady: markFalse(resolved.reason, resolved.message) };
  if (resolved.kind === "pod") {
    return { ReceiveAdapterReady: markFalse("PodRuntimeUnavailable", `${image} is a container image; Knit runs ContainerSources whose image is worker://…`) };
  }
  s.image = `worker://${resolved.scriptName}@${resolved.digest}`;
  return { ReceiveAdapterReady: runsOnceSinkResolves(ok) };
});

export const reconcileApiServerSource = sourceReconciler((obj, _w, status, ok) => {
  const src = obj as ApiServerSource;
  (status as SourceStatus & { namespaces?: string[] }).namespaces = [src.metadata.namespace!];
  return { Deployed: runsOnceSinkResolves(ok), SufficientPermissions: markTrue() };
});
