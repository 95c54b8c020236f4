// The router's view of each revision's activator: whether requests may bypass it (enough instances
// and burst capacity, no containerConcurrency to enforce) and which instances to call, refreshed in
// the background; plus the counts of bypassed requests, reported to the activator every second.

import type { CapacityView } from "../activator/activator.ts";
import { RequestStats, type RequestDelta } from "../activator/stats.ts";

const REFRESH_MS = 250;
const REPORT_MS = 1000;

export interface ActivatorClient {
  capacity(key: string): Promise<CapacityView>;
  report(key: string, concurrency: number, requests: number, delta: RequestDelta): Promise<void>;
}

interface Entry {
  view?: CapacityView;
  fetchedAt: number;
  refreshing?: Promise<void>;
  next: number;
  inFlight: number;
  concurrencyMs: number;
  requests: number;
  lastChange: number;
  lastReport: number;
  stats: RequestStats;
}

export class CapacityCache {
  private readonly entries = new Map<string, Entry>();
  private readonly client: ActivatorClient;

  constructor(client: ActivatorClient) {
    this.client = client;
  }

  /** An instance id to call directly, or undefined when the request must go through the activator. */
  direct(key: string, ctx: ExecutionContext | undefined): string | undefined {
    const now = Date.now();
    let e = this.entries.get(key);
    if (!e) {
      e = { fetchedAt: 0, next: 0, inFlight: 0, concurrencyMs: 0, requests: 0, lastChange: now, lastReport: now, stats: new RequestStats() };
      this.entries.set(key, e);
    }
    if (now - e.fetchedAt > REFRESH_MS && !e.refreshing) {
      const entry = e;
      entry.refreshing = this.client.capacity(key).then(
        (view) => { entry.view = view; entry.fetchedAt = Date.now(); },
        () => { entry.view = undefined; entry.fetchedAt = Date.now(); },
      ).finally(() => { entry.refreshing = undefined; });
      ctx?.waitUntil(entry.refreshing);
    }
    const view = e.view;
    if (!view?.bypass || view.instances.length === 0) return undefined;
    return view.instances[e.next++ % view.instances.length];
  }

  started(key: string): void {
    const e = this.entries.get(key)!;
    this.advance(e, Date.now());
    e.inFlight++;
    e.requests++;
  }

  /** A bypassed request answered with `status` after `ms` (time to the response headers). */
  finished(key: string, ctx: ExecutionContext | undefined, status: number, ms: number): void {
    const e = this.entries.get(key)!;
    const now = Date.now();
    this.advance(e, now);
    e.inFlight--;
    e.stats.record(status, ms);
    if (now - e.lastReport >= REPORT_MS) {
      const span = now - e.lastReport;
      const concurrency = e.concurrencyMs / span;
      const requests = e.requests;
      e.concurrencyMs = 0;
      e.requests = 0;
      e.lastReport = now;
      ctx?.waitUntil(this.client.report(key, concurrency, requests, e.stats.take()).catch(() => {}));
    }
  }

  /** Forget a revision's view (its activator said the instance is gone). */
  invalidate(key: string): void {
    const e = this.entries.get(key);
    if (e) e.view = undefined;
  }

  private advance(e: Entry, now: number): void {
    e.concurrencyMs += e.inFlight * (now - e.lastChange);
    e.lastChange = now;
  }
}
