// What a revision's isolate reaches when it calls fetch(): Knit's own hosts (Knative Services by their
// cluster-local or public names, brokers, channels) through the ingress in this isolate, and public
// internet addresses through a network that allows nothing else, so no revision reaches the API,
// loopback or the private network.

import { WorkerEntrypoint } from "cloudflare:workers";
import type { Env } from "./env.ts";
import { ingressFor } from "./platform.ts";

export class Outbound extends WorkerEntrypoint<Env> {
  override async fetch(request: Request): Promise<Response> {
    const router = ingressFor(this.env);
    if (await router.serves(new URL(request.url).host)) return router.fetch(request);
    if (!this.env.PUBLIC_NET) return new Response("this revision has no outbound network\n", { status: 502 });
    return this.env.PUBLIC_NET.fetch(request);
  }
}
