// Resolving a duckv1.Destination (ref, uri, or uri relative to ref) to a URL, as Knative's URI
// resolver does: the referenced object must exist in the namespace and publish status.address.url.

import type { Destination, KObject, KReference } from "../types.ts";
import type { StoreKey, World } from "./world.ts";
import { markFalse, markTrue, type Mark } from "./conditions.ts";

/** Addressable kinds Knit serves, by apiVersion group and kind. */
const ADDRESSABLE: Record<string, StoreKey> = {
  "serving.knative.dev/Service": "services.serving.knative.dev",
  "serving.knative.dev/Route": "routes.serving.knative.dev",
  "eventing.knative.dev/Broker": "brokers.eventing.knative.dev",
  "messaging.knative.dev/Channel": "channels.messaging.knative.dev",
  "messaging.knative.dev/InMemoryChannel": "inmemorychannels.messaging.knative.dev",
  "flows.knative.dev/Sequence": "sequences.flows.knative.dev",
  "flows.knative.dev/Parallel": "parallels.flows.knative.dev",
};

export type Resolution = { ok: true; uri: string } | { ok: false; message: string };

export function addressableKey(ref: KReference): StoreKey | undefined {
  const group = ref.apiVersion?.split("/")[0] ?? "";
  return ADDRESSABLE[`${group}/${ref.kind}`];
}

/** Whether `dest` refers to the object of `key` named `name` in `namespace`. */
export function refersTo(dest: Destination | undefined, namespace: string, key: StoreKey, name: string): boolean {
  const ref = dest?.ref;
  if (!ref || ref.name !== name || (ref.namespace ?? namespace) !== namespace) return false;
  if (isCoreService(ref)) return key === "services.serving.knative.dev" || key === "routes.serving.knative.dev";
  return addressableKey(ref) === key;
}

function isCoreService(ref: KReference): boolean {
  return (ref.apiVersion === "v1" || ref.apiVersion === undefined) && ref.kind === "Service";
}

/**
 * A Kubernetes Service (apiVersion v1) resolves to its cluster DNS name, as in Knative. In Knit that name
 * is served by the Knative Service (or Route) of the same name, which must exist.
 */
function resolveCoreService(dest: Destination, ns: string, world: World): Resolution {
  const name = dest.ref!.name;
  if (!world.get("services.serving.knative.dev", ns, name) && !world.get("routes.serving.knative.dev", ns, name)) {
    return { ok: false, message: `failed to get object ${ns}/${name}: services "${name}" not found (Knit serves a v1 Service reference with the Knative Service or Route of that name)` };
  }
  const base = `http://${name}.${ns}.svc.cluster.local/`;
  return { ok: true, uri: dest.uri ? new URL(dest.uri, base).toString() : base };
}

export function resolveDestination(dest: Destination | undefined, namespace: string, world: World): Resolution {
  if (!dest || (!dest.ref && !dest.uri)) return { ok: false, message: "destination is missing a ref and a uri" };
  if (!dest.ref) {
    try {
      const url = new URL(dest.uri!);
      if (url.protocol !== "http:" && url.protocol !== "https:") return { ok: false, message: `uri "${dest.uri}" is not an http(s) URL` };
      return { ok: true, uri: url.toString() };
    } catch {
      return { ok: false, message: `uri "${dest.uri}" is not an absolute URL` };
    }
  }
  const ref = dest.ref;
  const ns = ref.namespace ?? namespace;
  if (isCoreService(ref)) return resolveCoreService(dest, ns, world);
  const key = addressableKey(ref);
  if (!key) return { ok: false, message: `${ref.apiVersion ?? ""} ${ref.kind} is not an addressable kind Knit serves`.trim() };
  const target: KObject | undefined = world.get(key, ns, ref.name);
  if (!target) return { ok: false, message: `failed to get object ${ns}/${ref.name}: ${key} "${ref.name}" not found` };
  const base = (target.status as { address?: { url?: string } } | undefined)?.address?.url;
  if (!base) return { ok: false, message: `address not set for ${ref.kind} ${ns}/${ref.name}` };
  if (!dest.uri) return { ok: true, uri: base };
  try {
    return { ok: true, uri: new URL(dest.uri, base.endsWith("/") ? base : `${base}/`).toString() };
  } catch {
    return { ok: false, message: `uri "${dest.uri}" cannot be resolved against ${base}` };
  }
}

/**
 * The DeadLetterSinkResolved condition for a delivery's dead-letter sink, setting
 * status.deadLetterSinkUri when it resolves (and removing a stale one when there is none).
 */
export function resolveDeadLetterSink(sink: Destination | undefined, namespace: string, world: World, status: { deadLetterSinkUri?: string }): Mark {
  delete status.deadLetterSinkUri;
  if (!sink) return markTrue("DeadLetterSinkNotConfigured", "No dead letter sink is configured.");
  const resolved = resolveDestination(sink, namespace, world);
  if (!resolved.ok) return markFalse("Unable to get the dead letter sink's URI", resolved.message);
  status.deadLetterSinkUri = resolved.uri;
  return markTrue();
}
