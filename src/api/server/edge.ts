// The API port's front door (stateless): bearer-token check, discovery and OpenAPI answered here,
// everything about objects forwarded to the Store.

import type { Env } from "../../env.ts";
import { UnauthorizedError } from "../errors.ts";
import { errorResponse, json } from "./respond.ts";
import { discoveryResponse } from "./discovery-routes.ts";
import { formatPrometheus } from "./metrics.ts";
import { applyMode } from "../../mode.ts";
import { objectId } from "../../object-ids.ts";
import { drainBody } from "../../drain.ts";

export async function handleApi(req: Request, env: Env): Promise<Response> {
  const res = await answer(req, env);
  // A body nobody read (a DELETE's DeleteOptions, a refusal before reading) is read now: left on a
  // keep-alive connection, it would be parsed as the client's next request.
  await drainBody(req);
  return res;
}

async function answer(req: Request, env: Env): Promise<Response> {
  try {
    if (!authorized(req, env.API_TOKEN)) throw new UnauthorizedError();
    const url = new URL(req.url);
    if (url.pathname === "/healthz" || url.pathname === "/readyz" || url.pathname === "/livez") {
      return new Response("ok", { headers: { "content-type": "text/plain" } });
    }
    if (url.pathname === "/metrics") return await metricsResponse(env);
    applyMode(env);
    // In cluster mode the Store knows the CRDs' kinds: it has registered them once it is running.
    if (env.MODE === "cluster") await env.STORE.get(objectId(env.STORE, "cluster")).kindsReady();
    const discovered = discoveryResponse(req, url);
    if (discovered) return discovered;
    return await env.STORE.get(objectId(env.STORE, "cluster")).fetch(req);
  } catch (err) {
    return errorResponse(err);
  }
}

/** Asks every worker revision's activator for its figures (an activator that holds nothing answers null). */
async function metricsResponse(env: Env): Promise<Response> {
  const keys = await env.STORE.get(objectId(env.STORE, "cluster")).workerRevisionKeys();
  const stats = await Promise.all(keys.map((k) => env.ACTIVATOR.get(objectId(env.ACTIVATOR, k)).stats().catch(() => null)));
  const body = formatPrometheus(stats.filter((s) => s !== null));
  return new Response(body, { headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" } });
}

function authorized(req: Request, token: string): boolean {
  const header = req.headers.get("authorization") ?? "";
  const given = header.startsWith("Bearer ") ? header.slice(7).trim() : "";
  if (!token || given.length !== token.length) return false;
  let diff = 0;
  for (let i = 0; i < token.length; i++) diff |= token.charCodeAt(i) ^ given.charCodeAt(i);
  return diff === 0;
}

export { json };
