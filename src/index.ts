// The platform worker: ingress (default entrypoint), the Kubernetes-style API (entrypoint "api"),
// and the Durable Objects: the Store, one Activator per revision, one EventLog per Broker.

import type { Env } from "./env.ts";
import { handleApi } from "./api/server/edge.ts";
import { ingressFor } from "./platform.ts";
import { type DispatcherEnv, serveDispatch } from "./eventing/dispatch/dispatcher.ts";

export { Store } from "./api/store/store.ts";
export { Activator } from "./activator/activator.ts";
export { EventLog } from "./eventing/event-log.ts";
export { Outbound } from "./outbound.ts";
export { Pinger } from "./eventing/sources/ping.ts";
export { SourceRunner } from "./eventing/sources/container.ts";

export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    if (env.MODE === "cluster") return Promise.resolve(new Response("cluster mode: this Knit serves the Kubernetes API only\n", { status: 404 }));
    return ingressFor(env).fetch(request, ctx);
  },
} satisfies ExportedHandler<Env>;

export const api = {
  fetch(request: Request, env: Env): Promise<Response> {
    return handleApi(request, env);
  },
} satisfies ExportedHandler<Env>;

/** The dispatcher process's entrypoint (a second workerd that `knit start` runs; see eventing/dispatch). */
export const dispatch = {
  fetch(request: Request, env: DispatcherEnv): Promise<Response> {
    return serveDispatch(request, env);
  },
} satisfies ExportedHandler<DispatcherEnv>;
