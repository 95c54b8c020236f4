// PingSource's runtime: one Durable Object per source, woken by an alarm at each scheduled time. It sends
// Knative's dev.knative.sources.ping event to the sink and sets the alarm for the next time.

import { DurableObject } from "cloudflare:workers";
import type { Env } from "../../env.ts";
import { senderFor } from "../../platform.ts";
import { parseSchedule } from "./schedule.ts";
import { toBinary, type StoredEvent } from "../cloudevent.ts";

export interface PingConfig {
  namespace: string;
  name: string;
  schedule: string;
  timezone?: string;
  contentType?: string;
  data?: string;
  dataBase64?: string;
  sinkUri: string;
  extensions?: Record<string, string>;
}

const CONFIG_KEY = "config";
const SEND_TIMEOUT_MS = 30_000;

export function pingerName(namespace: string, name: string): string {
  return `ping:${namespace}/${name}`;
}

/** The event a PingSource sends at `time`. */
export function pingEvent(config: PingConfig, time: number, id: string): StoredEvent {
  const event: StoredEvent = {
    specversion: "1.0",
    id,
    source: `/apis/v1/namespaces/${config.namespace}/pingsources/${config.name}`,
    type: "dev.knative.sources.ping",
    time: new Date(time).toISOString(),
    ...config.extensions,
  };
  if (config.dataBase64 !== undefined) {
    event.data_base64 = config.dataBase64;
    if (config.contentType) event.datacontenttype = config.contentType;
  } else if (config.data !== undefined) {
    event.data = config.data;
    event.datacontenttype = config.contentType ?? "text/plain";
  }
  return event;
}

export class Pinger extends DurableObject<Env> {
  private config: PingConfig | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      this.config = await ctx.storage.get<PingConfig>(CONFIG_KEY);
    });
  }

  /** The Store's view of the source; null when it was deleted. */
  async configure(config: PingConfig | null): Promise<void> {
    if (!config) {
      this.config = undefined;
      await this.ctx.storage.deleteAll();
      return;
    }
    this.config = config;
    await this.ctx.storage.put(CONFIG_KEY, config);
    await this.schedule(Date.now());
  }

  override async alarm(): Promise<void> {
    const config = this.config;
    if (!config) return;
    const now = Date.now();
    const event = pingEvent(config, now, crypto.randomUUID());
    const { headers, body } = toBinary(event);
    await senderFor(this.env)(config.sinkUri, { method: "POST", headers, body, signal: AbortSignal.timeout(SEND_TIMEOUT_MS) })
      .then((r) => r.body?.cancel())
      .catch(() => {});
    await this.schedule(now);
  }

  private async schedule(after: number): Promise<void> {
    const next = this.config ? parseSchedule(this.config.schedule, this.config.timezone).next(after) : undefined;
    if (next !== undefined) await this.ctx.storage.setAlarm(next);
  }
}
