// The ingress: Host → Route → weighted revision → the revision's isolate.
// The routing table is cached with its version; a warm request makes no storage round trip.

import type { HostRoute, RevisionTarget, RoutingTable } from "./table.ts";
import { revisionKey } from "./table.ts";
import { revisionStub, type LoadScript } from "./isolate.ts";
import { PROBE_HEADER } from "./wrapper.ts";
import { hostPortValid, normalizeHost } from "./host.ts";
import { callPod } from "./pod.ts";
import { CapacityCache, type ActivatorClient } from "./capacity.ts";

export interface RouterDeps {
  /** The current table, or null when `knownVersion` is current. */
  loadTable(knownVersion: number): Promise<RoutingTable | null>;
  loadScript: LoadScript;
  loader: WorkerLoader;
  outbound: Fetcher | null;
  /** Same-isolate signal of the newest table version (see version-hint.ts). */
  versionHint?: () => number;
  /** Handlers for hosts that are not Routes' (the broker ingress, channels); undefined for any other host. */
  hostHandler?: (host: string) => ((request: Request) => Promise<Response>) | undefined;
  /** The revisions' activators; without them every request goes straight to the revision's one isolate. */
  activator?: ActivatorClient & {
    serve(key: string, request: Request, target: RevisionTarget, autoscaler: Record<string, string>): Promise<Response>;
  };
}

/** Serve from cache but refresh in the background after this long… */
const REVALIDATE_MS = 500;
/** …and refresh before serving after this long (an idle router). */
const MAX_AGE_MS = 2000;

export function createIngress(deps: RouterDeps) {
  const cache = new TableCache(deps);
  const capacity = deps.activator ? new CapacityCache(deps.activator) : undefined;
  const handle = async (request: Request, ctx: ExecutionContext | undefined): Promise<Response> => {
    const table = await cache.current(ctx);
    // workerd builds the request URL from the Host header; Miniflare's dispatchFetch keeps the URL's host.
    const rawHost = urlHost(request.url);
    if (!hostPortValid(rawHost)) return text(400, `invalid Host header "${rawHost}": the port must be a number from 0 to 65535\n`);
    const host = normalizeHost(rawHost);
    const special = deps.hostHandler?.(host);
    if (special) return special(request);
    // Own keys only: a Host such as "__proto__" must not find Object.prototype.
    const route = Object.hasOwn(table.hosts, host) ? table.hosts[host] : undefined;
    if (!route) return text(404, `no Knative route for host "${host}"\n`);
    const target = table.revisions[revisionKey(route.namespace, pick(route))];
    return forwardToRevision(deps, target, route, request, { capacity, ctx, autoscaler: table.autoscaler ?? {} });
  };
  return {
    fetch(request: Request, ctx?: ExecutionContext): Promise<Response> {
      return handle(request, ctx).catch((err: unknown) => {
        console.error(err);
        return text(500, "Internal Server Error");
      });
    },
    /** Whether a request to `host` is Knit's to serve (a Route's host or a special host). */
    async serves(host: string): Promise<boolean> {
      const h = normalizeHost(host);
      if (deps.hostHandler?.(h)) return true;
      return Object.hasOwn((await cache.current(undefined)).hosts, h);
    },
  };
}

class TableCache {
  private table: RoutingTable | undefined;
  private fetchedAt = 0;
  private inflight: Promise<void> | undefined;
  private readonly deps: RouterDeps;

  constructor(deps: RouterDeps) {
    this.deps = deps;
  }

  async current(ctx: ExecutionContext | undefined): Promise<RoutingTable> {
    const age = Date.now() - this.fetchedAt;
    const hint = this.deps.versionHint?.() ?? 0;
    if (!this.table || hint > this.table.version || age > MAX_AGE_MS) {
      await this.refresh();
    } else if (age > REVALIDATE_MS) {
      const pending = this.refresh();
      if (ctx) ctx.waitUntil(pending);
    }
    return this.table!;
  }

  private refresh(): Promise<void> {
    this.inflight ??= this.deps
      .loadTable(this.table?.version ?? -1)
      .then((next) => {
        if (next) this.table = next;
        this.fetchedAt = Date.now();
      })
      .finally(() => {
        this.inflight = undefined;
      });
    return this.inflight;
  }
}

function pick(route: HostRoute): string {
  const targets = route.targets;
  if (targets.length === 1) return targets[0].revision;
  let r = Math.random() * 100;
  for (const t of targets) {
    r -= t.percent;
    if (r < 0) return t.revision;
  }
  return targets[targets.length - 1].revision;
}

interface ForwardContext {
  capacity?: CapacityCache;
  ctx?: ExecutionContext;
  autoscaler: Record<string, string>;
}

/**
 * Sends the request to the revision: straight to an instance when its activator says the warm path may
 * bypass it (Knative's excess burst capacity rule), otherwise through the activator, which queues,
 * scales from zero and enforces containerConcurrency.
 */
export async function forwardToRevision(
  deps: RouterDeps,
  target: RevisionTarget | undefined,
  route: HostRoute,
  request: Request,
  fwd: ForwardContext = { autoscaler: {} },
): Promise<Response> {
  if (!target) return text(503, `route "${route.route}" names a revision that does not exist yet\n`, { "retry-after": "1" });
  if (!target.digest && !target.pod) {
    return text(503, `revision "${target.name}" runs the container image ${target.image} as a pod, and no Kubernetes bridge serves pod revisions here\n`);
  }
  if (!target.ready) return text(503, `revision "${target.name}" is not ready\n`, { "retry-after": "1" });
  // The request goes on as it came (its URL keeps the Host), copied only to drop a spoofed probe header:
  // copying headers on every request costs the warm path a tenth of its throughput.
  let forwarded = request;
  if (request.headers.has(PROBE_HEADER)) {
    const headers = new Headers(request.headers);
    headers.delete(PROBE_HEADER);
    forwarded = new Request(request, { headers });
  }
  if (!deps.activator || !fwd.capacity) return callInstance(deps, target, forwarded, undefined);
  const key = revisionKey(target.namespace, target.name);
  const instance = fwd.capacity.direct(key, fwd.ctx);
  if (!instance) return deps.activator.serve(key, forwarded, target, fwd.autoscaler);
  fwd.capacity.started(key);
  const start = Date.now();
  let status = 500;
  try {
    const res = await callInstance(deps, target, forwarded, instance);
    status = res.status;
    return res;
  } finally {
    fwd.capacity.finished(key, fwd.ctx, status, Date.now() - start);
  }
}

async function callInstance(deps: RouterDeps, target: RevisionTarget, request: Request, instance: string | undefined): Promise<Response> {
  const timeoutMs = (target.timeoutSeconds || 300) * 1000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<Response>((resolve) => {
    timer = setTimeout(() => resolve(text(504, `revision "${target.name}" did not answer within ${target.timeoutSeconds}s (timeoutSeconds)\n`)), timeoutMs);
  });
  try {
    const call = target.pod ? callPod(target, request) : revisionStub(deps.loader, target, deps.loadScript, deps.outbound, instance).fetch(request);
    return await Promise.race([call, timedOut]);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return text(502, `revision "${target.name}" failed: ${message}\n`);
  } finally {
    clearTimeout(timer);
  }
}

function urlHost(url: string): string {
  const start = url.indexOf("://") + 3;
  const end = url.indexOf("/", start);
  return end < 0 ? url.slice(start) : url.slice(start, end);
}

function text(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8", ...headers } });
}
