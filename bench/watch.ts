// A watch on one collection of Knit's API (newline-delimited WatchEvents over its own TLS connection),
// with the moments the benches wait for: an object becoming Ready, a label value showing up, and the
// stream going quiet. Each moment is taken when the event's bytes arrive.

import { request as httpsRequest } from "node:https";
import type { IncomingMessage } from "node:http";
import type { Platform } from "../src/cli/start.ts";

export interface KObj {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string>; resourceVersion?: string };
  spec?: unknown;
  status?: { conditions?: { type?: string; status?: string }[] };
}

interface Waiter {
  name: string;
  test: (o: KObj) => boolean;
  done: (at: number) => void;
  fail: (err: Error) => void;
  timer: NodeJS.Timeout;
}

const isReady = (o: KObj) => o.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;

export class ApiWatch {
  private waiters = new Set<Waiter>();
  private lastEventAt = performance.now();
  private buffer = "";
  private error: Error | undefined;
  events = 0;

  private readonly res: IncomingMessage;

  private constructor(res: IncomingMessage) {
    this.res = res;
    res.setEncoding("utf8");
    res.on("data", (chunk: string) => this.receive(chunk, performance.now()));
    res.on("end", () => this.abort(new Error("the watch ended")));
    res.on("error", (err) => this.abort(err));
  }

  /** Lists `path` for its resourceVersion, then watches the changes after it. */
  static open(platform: Platform, path: string): Promise<ApiWatch> {
    const get = (url: string) => new Promise<IncomingMessage>((done, fail) => {
      const req = httpsRequest(`${platform.apiUrl}${url}`, { agent: false, ca: platform.ca, headers: { authorization: `Bearer ${platform.token}`, accept: "application/json" } }, done);
      req.on("error", fail);
      req.end();
    });
    return (async () => {
      const list = await get(path);
      let text = "";
      for await (const c of list) text += c;
      if (list.statusCode !== 200) throw new Error(`GET ${path}: ${list.statusCode} ${text.slice(0, 200)}`);
      const rv = JSON.parse(text).metadata?.resourceVersion ?? "0";
      const res = await get(`${path}?watch=true&resourceVersion=${encodeURIComponent(rv)}`);
      if (res.statusCode !== 200) throw new Error(`watch ${path}: ${res.statusCode}`);
      return new ApiWatch(res);
    })();
  }

  private receive(chunk: string, at: number) {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf("\n")) >= 0) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      if (!line) continue;
      const event = JSON.parse(line) as { type: string; object: KObj };
      this.events++;
      this.lastEventAt = at;
      if (event.type === "ERROR") return this.abort(new Error(`watch error event: ${line.slice(0, 300)}`));
      for (const w of this.waiters) {
        if (event.object.metadata?.name === w.name && w.test(event.object)) {
          this.waiters.delete(w);
          clearTimeout(w.timer);
          w.done(at);
        }
      }
    }
  }

  private abort(err: Error) {
    this.error ??= err;
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.fail(err);
    }
    this.waiters.clear();
  }

  /** The promise is marked handled: a caller whose write failed may drop it without an unhandled rejection. */
  private when(name: string, what: string, test: (o: KObj) => boolean, timeoutMs: number): Promise<number> {
    if (this.error) return Promise.reject(this.error);
    const p = new Promise<number>((done, fail) => {
      const w: Waiter = {
        name, test, done, fail,
        timer: setTimeout(() => {
          this.waiters.delete(w);
          fail(new Error(`no watch event showing ${name} ${what} within ${timeoutMs / 1000} s`));
        }, timeoutMs),
      };
      this.waiters.add(w);
    });
    p.catch(() => {});
    return p;
  }

  /** When (performance.now()) an event showed `name` Ready=True; register before the write. */
  readyAt(name: string, timeoutMs: number): Promise<number> {
    return this.when(name, "Ready", isReady, timeoutMs);
  }

  /** When an event showed label `key` = `value` on `name`. */
  labelAt(name: string, key: string, value: string, timeoutMs: number): Promise<number> {
    return this.when(name, `${key}=${value}`, (o) => o.metadata?.labels?.[key] === value, timeoutMs);
  }

  /** Waits until no event arrived for `ms` (at most `timeoutMs`); answers how long that took, or that it did not. */
  async quiet(ms: number, timeoutMs: number): Promise<string> {
    const start = performance.now();
    while (performance.now() - this.lastEventAt < ms) {
      if (this.error) throw this.error;
      if (performance.now() - start > timeoutMs) return `still not quiet for ${ms / 1000} s after ${timeoutMs / 1000} s`;
      await new Promise((r) => setTimeout(r, 100));
    }
    return `quiet for ${ms / 1000} s after ${((performance.now() - start) / 1000).toFixed(1)} s`;
  }

  close() {
    this.abort(new Error("closed"));
    this.res.destroy();
  }
}
