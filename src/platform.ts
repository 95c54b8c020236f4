// The platform's parts wired together for one isolate: the ingress (routes, activators, the broker
// ingress) and the sender event logs deliver with. index.ts serves them; the event log uses the sender.

import type { Env } from "./env.ts";
import { objectId } from "./object-ids.ts";
import { createIngress } from "./router/ingress.ts";
import { cachingScripts } from "./router/isolate.ts";
import { routingVersionHint } from "./router/version-hint.ts";
import { eventingHandler } from "./eventing/hosts.ts";
import { type Attempt, type Outcome, type Sender, attempt } from "./eventing/attempt.ts";
import { DispatchClient } from "./eventing/dispatch/client.ts";

function activator(env: Env, key: string) {
  return env.ACTIVATOR.get(objectId(env.ACTIVATOR, key));
}

let ingress: ReturnType<typeof createIngress> | undefined;

export function ingressFor(env: Env): ReturnType<typeof createIngress> {
  if (!ingress) {
    const store = () => env.STORE.get(objectId(env.STORE, "cluster"));
    const logs = { publish: (name: string, event: Parameters<typeof publishTo>[2]) => publishTo(env, name, event) };
    ingress = createIngress({
      loadTable: (known) => store().routingTable(known) as never,
      loadScript: cachingScripts((digest) => store().script(digest)),
      loader: env.LOADER,
      outbound: env.OUTBOUND ?? env.PUBLIC_NET ?? null,
      versionHint: routingVersionHint,
      activator: {
        serve: (key, request, target, autoscaler) => activator(env, key).serve(request, target, autoscaler),
        capacity: (key) => activator(env, key).capacity(),
        report: (key, concurrency, requests, delta) => activator(env, key).report(concurrency, requests, delta),
      },
      hostHandler: (host) => eventingHandler(host, logs),
    });
  }
  return ingress;
}

function publishTo(env: Env, name: string, event: import("./eventing/cloudevent.ts").StoredEvent): Promise<boolean> {
  return env.EVENTS.get(objectId(env.EVENTS, name)).publish(event);
}

/** Subscribers are few and events many: their hosts are remembered rather than parsed per delivery. */
const hosts = new Map<string, string>();

function hostOf(url: string): string {
  let host = hosts.get(url);
  if (host === undefined) {
    if (hosts.size >= 1024) hosts.clear();
    host = new URL(url).host;
    hosts.set(url, host);
  }
  return host;
}

/** Delivers to hosts Knit serves through its own ingress, in this isolate; anything else goes out. */
export function senderFor(env: Env): Sender {
  return async (url, init) => {
    const router = ingressFor(env);
    const host = hostOf(url);
    if (!(await router.serves(host))) return fetch(url, init);
    // A Request with a signal cannot be handed to an activator (RPC); the deadline is kept here instead.
    const { signal, ...rest } = init;
    const served = router.fetch(new Request(url, rest));
    if (!signal) return served;
    return Promise.race([served, new Promise<never>((_, reject) => {
      if (signal.aborted) reject(signal.reason);
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    })]);
  };
}

/**
 * Delivery attempts for the event logs: to Knit's own hosts through the ingress in this isolate; to any
 * other subscriber through the dispatcher process when `knit start` runs one (DISPATCHER), else from here.
 */
export function deliveryFor(env: Env): (a: Attempt) => Promise<Outcome> {
  const sender = senderFor(env);
  const here = (a: Attempt) => attempt(sender, a);
  if (!env.DISPATCHER) return here;
  const outside = (a: Attempt) => attempt(fetch, a);
  const client = new DispatchClient(env.DISPATCHER, env.API_TOKEN, outside);
  return async (a) => ((await ingressFor(env).serves(hostOf(a.url))) ? here(a) : client.send(a));
}
