// ContainerSource whose image is a worker: one Durable Object per source keeps the worker running until
// the source is deleted. The worker's fetch handler is called once ("start") and may run as long as it
// likes, sending events to env.K_SINK; when it returns or fails it is started again after a backoff,
// as a container with restartPolicy Always would be. An alarm every few seconds is the watchdog that
// restarts it after an eviction or a restart of the platform.

import { DurableObject } from "cloudflare:workers";
import type { Env } from "../../env.ts";
import type { RevisionTarget } from "../../router/table.ts";
import { cachingScripts, revisionStub } from "../../router/isolate.ts";
import { objectId } from "../../object-ids.ts";

export interface SourceRunConfig {
  namespace: string;
  name: string;
  /** worker://NAME@sha256:… */
  image: string;
  env: Record<string, string>;
}

const CONFIG_KEY = "config";
const WATCHDOG_MS = 5_000;
const MAX_BACKOFF_MS = 30_000;

export function sourceRunnerName(namespace: string, name: string): string {
  return `container:${namespace}/${name}`;
}

export class SourceRunner extends DurableObject<Env> {
  private config: SourceRunConfig | undefined;
  private running: AbortController | undefined;
  private generation = 0;
  private failures = 0;
  private readonly scripts = cachingScripts((digest) => this.env.STORE.get(objectId(this.env.STORE, "cluster")).script(digest));

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      this.config = await ctx.storage.get<SourceRunConfig>(CONFIG_KEY);
      if (this.config) this.start();
    });
  }

  /** The Store's view of the source; null when it was deleted (the worker is stopped). */
  async configure(config: SourceRunConfig | null): Promise<void> {
    this.stop();
    this.config = config ?? undefined;
    if (!config) {
      await this.ctx.storage.deleteAll();
      return;
    }
    await this.ctx.storage.put(CONFIG_KEY, config);
    this.failures = 0;
    this.start();
    await this.ctx.storage.setAlarm(Date.now() + WATCHDOG_MS);
  }

  override async alarm(): Promise<void> {
    if (!this.config) return;
    if (!this.running) this.start();
    await this.ctx.storage.setAlarm(Date.now() + WATCHDOG_MS);
  }

  private start(): void {
    const config = this.config;
    if (!config || this.running) return;
    const pinned = /^worker:\/\/([^@]+)@(sha256:[0-9a-f]+)$/.exec(config.image);
    if (!pinned) return;
    const generation = ++this.generation;
    const target: RevisionTarget = {
      namespace: config.namespace, name: `source-${config.name}`, configuration: "", image: config.image,
      scriptName: pinned[1], digest: pinned[2], env: config.env, timeoutSeconds: 0, containerConcurrency: 0, ready: true, annotations: {},
    };
    const abort = new AbortController();
    this.running = abort;
    const stub = revisionStub(this.env.LOADER, target, this.scripts, this.env.OUTBOUND ?? this.env.PUBLIC_NET ?? null,
      `${sourceRunnerName(config.namespace, config.name)}@${pinned[2]}#${generation}`);
    const run = stub.fetch("http://source.knit.internal/start", { method: "POST", signal: abort.signal })
      .then((r) => r.body?.cancel(), () => undefined)
      .finally(() => {
        if (this.generation !== generation) return;
        this.running = undefined;
        // Started again after a backoff (or by the watchdog), never in a tight loop.
        const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** this.failures++);
        setTimeout(() => this.start(), delay);
      });
    this.ctx.waitUntil(run);
  }

  private stop(): void {
    this.generation++;
    this.running?.abort();
    this.running = undefined;
  }
}
