// Event sources: the sink resolves to status.sinkUri (SinkProvided); the source runs once it has one
// (Deployed). The runtime (a Durable Object per source) gets its configuration from the Store.

import type { PingSource, SourceStatus } from "../types.ts";
import type { Reconciler } from "./world.ts";
import { generationOf, livingConditions, markFalse, markTrue, type Mark } from "./conditions.ts";
import { resolveDestination } from "./addressable.ts";

const DEPENDENTS = ["Deployed", "SinkProvided"] as const;

export const reconcilePingSource: Reconciler = (obj, world) => {
  const source = obj as PingSource;
  const previous = source.status ?? {};
  const status: SourceStatus = { ...previous, observedGeneration: generationOf(source) };
  delete status.sinkUri;
  const sink = resolveDestination(source.spec?.sink, source.metadata.namespace!, world);
  let provided: Mark;
  if (sink.ok) {
    status.sinkUri = sink.uri;
    provided = markTrue();
  } else {
    provided = markFalse("NotFound", `Could not resolve sink URI: ${sink.message}`);
  }
  status.conditions = livingConditions(previous.conditions, {
    SinkProvided: provided,
    Deployed: sink.ok ? markTrue() : markFalse("SinkNotResolved", "the source runs once its sink resolves"),
  }, DEPENDENTS, world.now);
  return { status };
};
