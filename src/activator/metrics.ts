// Per-revision metrics in 1-second buckets, as queue-proxy reports them: average concurrency
// (time-weighted in-flight requests) and requests per second.

const BUCKET_MS = 1000;

interface Bucket {
  start: number;
  /** in-flight × milliseconds accumulated in this bucket. */
  concurrencyMs: number;
  requests: number;
}

export class RevisionMetrics {
  private readonly buckets: Bucket[] = [];
  private inFlight = 0;
  private lastChange: number;
  private readonly keepMs: number;
  firstSeen: number | undefined;
  lastRequestAt: number | undefined;

  constructor(now: number, keepMs = 3_600_000) {
    this.lastChange = now;
    this.keepMs = keepMs;
  }

  started(now: number): void {
    this.advance(now);
    this.inFlight++;
    this.current(now).requests++;
    this.firstSeen ??= now;
    this.lastRequestAt = now;
  }

  finished(now: number): void {
    this.advance(now);
    this.inFlight--;
  }

  /** Adds what a router saw on the bypass path during one bucket. */
  merge(now: number, concurrency: number, requests: number): void {
    this.advance(now);
    const b = this.current(now);
    b.concurrencyMs += concurrency * BUCKET_MS;
    b.requests += requests;
    if (requests > 0) {
      this.firstSeen ??= now;
      this.lastRequestAt = now;
    }
  }

  /** Average concurrency and requests/s over the last `windowMs` (counting only time since traffic began). */
  window(now: number, windowMs: number): { concurrency: number; rps: number } {
    this.advance(now);
    const from = Math.max(now - windowMs, this.firstSeen ?? now);
    const span = Math.max(BUCKET_MS, now - from);
    let concurrencyMs = 0;
    let requests = 0;
    for (const b of this.buckets) {
      if (b.start + BUCKET_MS <= from) continue;
      concurrencyMs += b.concurrencyMs;
      requests += b.requests;
    }
    return { concurrency: concurrencyMs / span, rps: (requests * 1000) / span };
  }

  get current_inFlight(): number {
    return this.inFlight;
  }

  private advance(now: number): void {
    let t = this.lastChange;
    while (t < now) {
      const b = this.current(t);
      const end = Math.min(now, b.start + BUCKET_MS);
      b.concurrencyMs += this.inFlight * (end - t);
      t = end;
    }
    this.lastChange = now;
    while (this.buckets.length && this.buckets[0].start < now - this.keepMs) this.buckets.shift();
  }

  private current(now: number): Bucket {
    const start = now - (now % BUCKET_MS);
    const last = this.buckets[this.buckets.length - 1];
    if (last && last.start === start) return last;
    const b = { start, concurrencyMs: 0, requests: 0 };
    this.buckets.push(b);
    return b;
  }
}
