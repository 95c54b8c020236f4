// The event log: one Durable Object per Broker. An event is written to SQLite with a delivery row for
// every Trigger whose filters it passes before the ingress answers 202; deliveries then run at once,
// are retried with the delivery spec's backoff (an alarm wakes the log for the next one, also after a
// restart), and end delivered, dead-lettered with Knative's extensions, or dropped.

import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.ts";
import type { DeliveryTarget, LogConfig } from "./log-config.ts";
import { type StoredEvent, toBinary } from "./cloudevent.ts";
import { matchesTrigger } from "./filters.ts";
import { maxAttempts, parseIsoDuration, retryDelayMs } from "./delivery.ts";
import { deadLetterExtensions, isRetryable } from "./dead-letter.ts";
import { deliveryFor } from "../platform.ts";
import type { Attempt, Outcome } from "./attempt.ts";
import { Batcher } from "./batch-window.ts";

const CONFIG_KEY = "config";
/** Deliveries running at once per log. */
const MAX_IN_FLIGHT = 256;
const DEFAULT_TIMEOUT_MS = 60_000;
const CLOCK_SLACK_MS = 20;
const REPLY = "#reply";
const DEAD_LETTER = "#dls";

interface Enqueued {
  event: StoredEvent;
  targetIds: string[];
}

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
  /** Deliveries not yet finished per event (absent after a restart: counted in SQLite then). */
  private readonly remaining = new Map<number, number>();
  /** Due deliveries wait that could not start (the in-flight limit was reached). */
  private backlog = false;
  private alarmAt: number | undefined;
  private pendingEvents: { event: StoredEvent; done: () => void }[] = [];
  private pendingFinished: { seq: number; target: string }[] = [];
  private readonly flusher = new Batcher(() => this.flush());
  private readonly delivery: (a: Attempt) => Promise<Outcome>;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.delivery = deliveryFor(env);
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
    // Answered once the flush that writes it has committed (the output gate holds the answer till then).
    await new Promise<void>((done) => {
      this.pendingEvents.push({ event, done });
      this.scheduleFlush();
    });
    return true;
  }

  private scheduleFlush(): void {
    this.flusher.schedule();
  }

  /**
   * Writes what the last moment brought (finished deliveries, new events; see Batcher) in one turn, so
   * one SQLite commit covers many events: a commit per event would bound the log to a few thousand writes a second.
   */
  private flush(): void {
    const finished = this.pendingFinished;
    this.pendingFinished = [];
    if (finished.length) this.finishAll(finished);
    const events = this.pendingEvents;
    this.pendingEvents = [];
    this.enqueueAll(events.flatMap((e) => this.deliveriesOf(e.event)));
    for (const e of events) e.done();
    if (this.backlog) this.pump();
  }

  override async alarm(): Promise<void> {
    this.alarmAt = undefined;
    this.pump();
  }

  /** The event with the targets whose filters it passes; none when no Trigger wants it (it is not stored). */
  private deliveriesOf(event: StoredEvent): Enqueued[] {
    const attributes = attributesOf(event);
    const targetIds = this.config!.targets.filter((t) => matchesTrigger(t.filter, t.filters, attributes)).map((t) => t.id);
    return targetIds.length ? [{ event, targetIds }] : [];
  }

  private enqueue(event: StoredEvent, targetIds: string[]): void {
    this.enqueueAll([{ event, targetIds }]);
  }

  /**
   * Writes the events and their deliveries, and starts them: one statement for all the events and one
   * for all their deliveries, since each exec is a cursor object (more for the collector to sweep) and a
   * call into SQLite. The rows are numbered in the order given (ORDER BY key), so the numbers returned,
   * sorted, are the events' in order. A first attempt is due at once (0): only retries carry a time.
   */
  private enqueueAll(items: Enqueued[]): void {
    if (!items.length) return;
    const sql = this.ctx.storage.sql;
    const seqs = sql
      .exec<{ seq: number }>("INSERT INTO events (event) SELECT value FROM json_each(?) ORDER BY key RETURNING seq", JSON.stringify(items.map((i) => i.event)))
      .toArray()
      .map((r) => r.seq)
      .sort((a, b) => a - b);
    const rows: [number, string][] = [];
    items.forEach((item, k) => {
      for (const target of item.targetIds) rows.push([seqs[k], target]);
    });
    sql.exec("INSERT INTO deliveries (seq, target, attempt, due) SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), 0, 0 FROM json_each(?)", JSON.stringify(rows));
    items.forEach((item, k) => {
      this.remaining.set(seqs[k], item.targetIds.length);
      for (const target of item.targetIds) this.start({ seq: seqs[k], target, attempt: 0, parsed: item.event });
    });
  }

  /**
   * Starts due deliveries that are not running, up to the limit. Only needed when some were left
   * waiting (the limit was reached), after a retry's alarm, and on start-up: a new event starts its
   * deliveries itself.
   */
  private pump(): void {
    const sql = this.ctx.storage.sql;
    // The clock a Durable Object reads only moves with I/O, so concurrent work can stamp a retry a few
    // milliseconds "ahead" of this one: a small slack keeps such a row from waiting for the next alarm.
    const now = Date.now() + CLOCK_SLACK_MS;
    this.backlog = false;
    const room = MAX_IN_FLIGHT - this.inFlight.size;
    if (room > 0) {
      // Running deliveries are among the due rows, so the window covers them and the room left.
      const limit = room + this.inFlight.size;
      const rows = sql.exec<DueRow>(
        "SELECT d.seq AS seq, d.target AS target, d.attempt AS attempt, e.event AS event FROM deliveries d JOIN events e ON e.seq = d.seq WHERE d.due <= ? ORDER BY d.due LIMIT ?",
        now, limit,
      ).toArray();
      for (const row of rows) this.start(row);
      // A full window may hide more due rows: look again when a delivery finishes.
      if (rows.length === limit) this.backlog = true;
    } else {
      this.backlog = true;
    }
    const next = sql.exec<{ due: number | null }>("SELECT MIN(due) AS due FROM deliveries WHERE due > ?", now).one().due;
    if (next !== null) this.wakeAt(next);
  }

  /** Sets the alarm for a retry unless an earlier one is already set. */
  private wakeAt(due: number): void {
    if (this.alarmAt !== undefined && this.alarmAt <= due && this.alarmAt > Date.now()) return;
    this.alarmAt = due;
    this.ctx.waitUntil(this.ctx.storage.setAlarm(due));
  }

  /** A delivery from SQLite carries its event's text; one just written carries the event itself. */
  private start(row: { seq: number; target: string; attempt: number; event?: string; parsed?: StoredEvent }): void {
    const key = `${row.seq}|${row.target}`;
    if (this.inFlight.has(key)) return;
    if (this.inFlight.size >= MAX_IN_FLIGHT) {
      this.backlog = true;
      return;
    }
    this.inFlight.add(key);
    this.ctx.waitUntil(this.deliver(row.seq, row.target, row.attempt, row.parsed ?? (JSON.parse(row.event!) as StoredEvent)).then((finished) => {
      // A finished delivery stays "in flight" until its row is deleted by the next flush.
      if (finished) return;
      this.inFlight.delete(key);
      if (this.backlog) this.pump();
    }));
  }

  /** One attempt; true when the delivery is over (its row goes with the next flush), false when it will be retried. */
  private async deliver(seq: number, targetId: string, attempt: number, event: StoredEvent): Promise<boolean> {
    const sql = this.ctx.storage.sql;
    const baseId = targetId.replace(/#.*$/, "");
    const target = this.config?.targets.find((t) => t.id === baseId);
    const url = !target ? undefined : targetId.endsWith(REPLY) ? replyUrl(target) : targetId.endsWith(DEAD_LETTER) ? target.deadLetterSinkUri : target.subscriberUri;
    if (!target || !url) {
      // The Trigger is gone (or lost its reply or dead-letter destination): nothing to deliver to.
      this.finish(seq, targetId);
      return true;
    }
    const { status, reply, errorBody } = await this.send(url, event, target, targetId === baseId);
    if (status >= 200 && status < 300) {
      this.finish(seq, targetId);
      if (reply && target.reply === "self") this.pendingEvents.push({ event: reply, done: () => {} });
      else if (reply && target.reply) this.enqueue(reply, [baseId + REPLY]);
      return true;
    }
    if (isRetryable(status) && attempt + 1 < maxAttempts(target.delivery)) {
      const due = Date.now() + retryDelayMs(target.delivery, attempt + 1);
      sql.exec("UPDATE deliveries SET attempt = ?, due = ? WHERE seq = ? AND target = ?", attempt + 1, due, seq, targetId);
      this.wakeAt(due);
      return false;
    }
    this.finish(seq, targetId);
    if (!targetId.endsWith(DEAD_LETTER) && target.deadLetterSinkUri) {
      const extensions = deadLetterExtensions({ destination: url, code: status, data: errorBody });
      this.enqueue({ ...event, ...extensions }, [baseId + DEAD_LETTER]);
    }
    return true;
  }

  /** One attempt, answered in full (the reply event, or the error's text) within the delivery's timeout. */
  private send(url: string, event: StoredEvent, target: DeliveryTarget, wantReply: boolean): Promise<Outcome> {
    const { headers, body } = binaryOf(event);
    const timeoutMs = parseIsoDuration(target.delivery?.timeout ?? "") ?? DEFAULT_TIMEOUT_MS;
    return this.delivery({ url, headers, body, timeoutMs, wantReply });
  }

  private finish(seq: number, targetId: string): void {
    this.pendingFinished.push({ seq, target: targetId });
    this.scheduleFlush();
  }

  /**
   * Deliveries that are over: their rows go, and so does every event with no delivery left, in three
   * statements for the whole batch rather than two or three per delivery.
   */
  private finishAll(finished: { seq: number; target: string }[]): void {
    const sql = this.ctx.storage.sql;
    const over: number[] = [];
    const rows: [number, string][] = [];
    for (const f of finished) {
      this.inFlight.delete(`${f.seq}|${f.target}`);
      const known = this.remaining.get(f.seq);
      if (known === undefined) {
        // After a restart the count is in SQLite only.
        sql.exec("DELETE FROM deliveries WHERE seq = ? AND target = ?", f.seq, f.target);
        if (sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM deliveries WHERE seq = ?", f.seq).one().n === 0) sql.exec("DELETE FROM events WHERE seq = ?", f.seq);
        continue;
      }
      if (known > 1) {
        this.remaining.set(f.seq, known - 1);
        rows.push([f.seq, f.target]);
      } else {
        this.remaining.delete(f.seq);
        over.push(f.seq);
      }
    }
    if (rows.length) {
      sql.exec("DELETE FROM deliveries WHERE (seq, target) IN (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?))", JSON.stringify(rows));
    }
    if (over.length) {
      const seqs = JSON.stringify(over);
      sql.exec("DELETE FROM deliveries WHERE seq IN (SELECT value FROM json_each(?))", seqs);
      sql.exec("DELETE FROM events WHERE seq IN (SELECT value FROM json_each(?))", seqs);
    }
  }
}

/** An event's binary form, made once however many subscribers it goes to. */
const binaries = new WeakMap<StoredEvent, ReturnType<typeof toBinary>>();

function binaryOf(event: StoredEvent): ReturnType<typeof toBinary> {
  let binary = binaries.get(event);
  if (!binary) binaries.set(event, (binary = toBinary(event, { prefer: "reply" })));
  return binary;
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
