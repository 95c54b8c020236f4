// The event log: one Durable Object per Broker. An event is written to SQLite with a delivery row for
// every Trigger whose filters it passes before the ingress answers 202; deliveries then run at once,
// are retried with the delivery spec's backoff (an alarm wakes the log for the next one, also after a
// restart), and end delivered, dead-lettered with Knative's extensions, or dropped.

import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.ts";
import type { DeliveryTarget, LogConfig } from "./log-config.ts";
import { type StoredEvent, replyEvent, toBinary } from "./cloudevent.ts";
import { matchesTrigger } from "./filters.ts";
import { maxAttempts, parseIsoDuration, retryDelayMs } from "./delivery.ts";
import { deadLetterExtensions, isRetryable } from "./dead-letter.ts";
import { senderFor } from "../platform.ts";

const CONFIG_KEY = "config";
/** Deliveries running at once per log. */
const MAX_IN_FLIGHT = 256;
const DEFAULT_TIMEOUT_MS = 60_000;
const REPLY = "#reply";
const DEAD_LETTER = "#dls";

/** Sends an HTTP request to a URL: through Knit's own ingress when it serves the host, else outside. */
export type Sender = (url: string, init: RequestInit) => Promise<Response>;

interface DueRow {
  seq: number;
  target: string;
  attempt: number;
  event: string;
  [key: string]: SqlStorageValue;
}

export class EventLog extends DurableObject<Env> {
  private config: LogConfig | undefined;
  private readonly inFlight = new Set<string>();
  private readonly sender: Sender;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sender = senderFor(env);
    const sql = ctx.storage.sql;
    sql.exec("CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY AUTOINCREMENT, event TEXT NOT NULL)");
    sql.exec("CREATE TABLE IF NOT EXISTS deliveries (seq INTEGER NOT NULL, target TEXT NOT NULL, attempt INTEGER NOT NULL, due INTEGER NOT NULL, PRIMARY KEY (seq, target))");
    sql.exec("CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (due)");
    ctx.blockConcurrencyWhile(async () => {
      this.config = await ctx.storage.get<LogConfig>(CONFIG_KEY);
      // Deliveries left by a crash or a restart resume now.
      if (this.config) this.pump();
    });
  }

  /** The Store's current view of this log's subscriptions; null when the Broker was deleted. */
  async configure(config: LogConfig | null): Promise<void> {
    if (!config) {
      this.config = undefined;
      await this.ctx.storage.deleteAll();
      return;
    }
    this.config = config;
    await this.ctx.storage.put(CONFIG_KEY, config);
    this.pump();
  }

  /** Stores an event with its deliveries; false when no Broker owns this log. */
  async publish(event: StoredEvent): Promise<boolean> {
    if (!this.config) return false;
    this.accept(event);
    return true;
  }

  override async alarm(): Promise<void> {
    this.pump();
  }

  /** Writes the event and a delivery for every target it passes, and starts them. */
  private accept(event: StoredEvent): void {
    const targets = this.config!.targets.filter((t) => matchesTrigger(t.filter, t.filters, attributesOf(event)));
    if (targets.length === 0) return;
    this.enqueue(event, targets.map((t) => t.id));
  }

  private enqueue(event: StoredEvent, targetIds: string[]): void {
    const sql = this.ctx.storage.sql;
    const now = Date.now();
    const text = JSON.stringify(event);
    const seq = sql.exec<{ seq: number }>("INSERT INTO events (event) VALUES (?) RETURNING seq", text).one().seq;
    for (const target of targetIds) sql.exec("INSERT INTO deliveries (seq, target, attempt, due) VALUES (?, ?, 0, ?)", seq, target, now);
    for (const target of targetIds) this.start({ seq, target, attempt: 0, event: text });
  }

  /** Starts every due delivery that is not running, up to the limit, and sets the alarm for the next. */
  private pump(): void {
    const sql = this.ctx.storage.sql;
    const now = Date.now();
    if (this.inFlight.size < MAX_IN_FLIGHT) {
      const rows = sql.exec<DueRow>(
        "SELECT d.seq AS seq, d.target AS target, d.attempt AS attempt, e.event AS event FROM deliveries d JOIN events e ON e.seq = d.seq WHERE d.due <= ? ORDER BY d.due LIMIT ?",
        now, MAX_IN_FLIGHT + this.inFlight.size,
      ).toArray();
      for (const row of rows) {
        if (this.inFlight.size >= MAX_IN_FLIGHT) break;
        this.start(row);
      }
    }
    const next = sql.exec<{ due: number | null }>("SELECT MIN(due) AS due FROM deliveries WHERE due > ?", now).one().due;
    if (next !== null) this.ctx.waitUntil(this.ctx.storage.setAlarm(next));
  }

  private start(row: DueRow | { seq: number; target: string; attempt: number; event: string }): void {
    const key = `${row.seq}|${row.target}`;
    if (this.inFlight.has(key) || this.inFlight.size >= MAX_IN_FLIGHT) return;
    this.inFlight.add(key);
    this.ctx.waitUntil(this.deliver(row.seq, row.target, row.attempt, JSON.parse(row.event) as StoredEvent).finally(() => {
      this.inFlight.delete(key);
      this.pump();
    }));
  }

  private async deliver(seq: number, targetId: string, attempt: number, event: StoredEvent): Promise<void> {
    const sql = this.ctx.storage.sql;
    const baseId = targetId.replace(/#.*$/, "");
    const target = this.config?.targets.find((t) => t.id === baseId);
    const url = !target ? undefined : targetId.endsWith(REPLY) ? replyUrl(target) : targetId.endsWith(DEAD_LETTER) ? target.deadLetterSinkUri : target.subscriberUri;
    if (!target || !url) {
      // The Trigger is gone (or lost its reply or dead-letter destination): nothing to deliver to.
      this.finish(seq, targetId);
      return;
    }
    const { status, response, error } = await this.send(url, event, target);
    if (status >= 200 && status < 300) {
      const reply = targetId === baseId && response ? await replyEvent(response) : undefined;
      this.finish(seq, targetId);
      if (reply && target.reply === "self") this.accept(reply);
      else if (reply && target.reply) this.enqueue(reply, [baseId + REPLY]);
      return;
    }
    const errorBody = error ?? (response ? await response.text().catch(() => "") : "");
    if (isRetryable(status) && attempt + 1 < maxAttempts(target.delivery)) {
      const due = Date.now() + retryDelayMs(target.delivery, attempt + 1);
      sql.exec("UPDATE deliveries SET attempt = ?, due = ? WHERE seq = ? AND target = ?", attempt + 1, due, seq, targetId);
      return;
    }
    this.finish(seq, targetId);
    if (!targetId.endsWith(DEAD_LETTER) && target.deadLetterSinkUri) {
      const extensions = deadLetterExtensions({ destination: url, code: status, data: errorBody });
      this.enqueue({ ...event, ...extensions }, [baseId + DEAD_LETTER]);
    }
  }

  private async send(url: string, event: StoredEvent, target: DeliveryTarget): Promise<{ status: number; response?: Response; error?: string }> {
    const { headers, body } = toBinary(event, { prefer: "reply" });
    const timeoutMs = parseIsoDuration(target.delivery?.timeout ?? "") ?? DEFAULT_TIMEOUT_MS;
    try {
      const response = await this.sender(url, { method: "POST", headers, body, signal: AbortSignal.timeout(timeoutMs) });
      return { status: response.status, response };
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
      return { status: timedOut ? 504 : 502, error: err instanceof Error ? err.message : String(err) };
    }
  }

  /** A delivery is over; an event with no delivery left is removed. */
  private finish(seq: number, targetId: string): void {
    const sql = this.ctx.storage.sql;
    sql.exec("DELETE FROM deliveries WHERE seq = ? AND target = ?", seq, targetId);
    const left = sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM deliveries WHERE seq = ?", seq).one().n;
    if (left === 0) sql.exec("DELETE FROM events WHERE seq = ?", seq);
  }
}

function replyUrl(target: DeliveryTarget): string | undefined {
  return target.reply && target.reply !== "self" ? target.reply : undefined;
}

/** Context attributes and extensions as strings, for filters. */
function attributesOf(event: StoredEvent): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(event)) {
    if (k === "data" || k === "data_base64" || v === undefined || v === null) continue;
    out[k] = typeof v === "string" ? v : String(v);
  }
  return out;
}
