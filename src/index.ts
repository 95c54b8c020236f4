// The platform worker: ingress (default entrypoint), the Kubernetes-style API (entrypoint "api"),
// and the Store Durable Object.

import type { Env } from "./env.ts";
import { handleApi } from "./api/server/edge.ts";
import { createIngress } from "./router/ingress.ts";
import { routingVersionHint } from "./router/version-hint.ts";

export { Store } from "./api/store/store.ts";
export { Activator } from "./activator/activator.ts";

function activator(env: Env, key: string) {
  return env.ACTIVATOR.get(env.ACTIVATOR.idFromName(key));
}

let ingress: ReturnType<typeof createIngress> | undefined;

function ingressFor(env: Env): ReturnType<typeof createIngress> {
  if (!ingress) {
    const store = () => env.STORE.get(env.STORE.idFromName("cluster"));
    ingress = createIngress({
      loadTable: (known) => store().routingTable(known) as never,
      loadScript: (digest) => store().script(digest),
      loader: env.LOADER,
      outbound: env.PUBLIC_NET ?? null,
      versionHint: routingVersionHint,
      activator: {
        serve: (key, request, target, autoscaler) => activator(env, key).serve(request, target, autoscaler),
        capacity: (key) => activator(env, key).capacity(),
        report: (key, concurrency, requests, delta) => activator(env, key).report(concurrency, requests, delta),
      },
    });
  }
  return ingress;
}

export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    return ingressFor(env).fetch(request, ctx);
  },
} satisfies ExportedHandler<Env>;

export const api = {
  fetch(request: Request, env: Env): Promise<Response> {
    return handleApi(request, env);
  },
} satisfies ExportedHandler<Env>;
