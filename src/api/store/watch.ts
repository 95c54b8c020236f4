// Watch streams: newline-delimited WatchEvents, replayed from a bounded history by resourceVersion.

import type { KObject, KStatus } from "../types.ts";
import type { StoredChange } from "./objects.ts";

export interface WatchFilter {
  key: string;
  namespace?: string;
  matches: (obj: KObject) => boolean;
  /** Turns a stored object into the form the client asked for (apiVersion of the requested version). */
  present: (obj: KObject) => KObject;
}

interface Watcher extends WatchFilter {
  writer: WritableStreamDefaultWriter<Uint8Array>;
  closed: boolean;
}

const HISTORY = 20_000;
/** How often a watch that allows bookmarks gets one (Kubernetes sends them about once a minute). */
export const BOOKMARK_INTERVAL_MS = 5_000;

/** `allowWatchBookmarks=true`: BOOKMARK events carry the store's resourceVersion so a client can resume from it. */
export interface Bookmarks {
  apiVersion: string;
  kind: string;
  resourceVersion: () => string;
}
const encoder = new TextEncoder();

export class WatchHub {
  private readonly history: StoredChange[] = [];
  private readonly watchers = new Set<Watcher>();

  record(change: StoredChange): void {
    this.history.push(change);
    if (this.history.length > HISTORY) this.history.splice(0, this.history.length - HISTORY);
    for (const w of this.watchers) this.deliver(w, change);
  }

  /**
   * Opens a stream. `fromRv` undefined or "0": every current object as ADDED, then changes.
   * Otherwise the changes after `fromRv`, or a 410 ERROR event when history no longer reaches back.
   */
  open(
    filter: WatchFilter,
    fromRv: string | undefined,
    current: () => KObject[],
    currentRv: number,
    timeoutSeconds?: number,
    bookmarks?: Bookmarks,
  ): ReadableStream<Uint8Array> {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const w: Watcher = { ...filter, writer: writable.getWriter(), closed: false };
    if (fromRv === undefined || fromRv === "" || fromRv === "0") {
      for (const obj of current()) this.deliver(w, { type: "ADDED", key: filter.key, object: obj });
    } else {
      const since = Number(fromRv);
      // The history starts at the first change this process saw; anything older is gone unless nothing changed since.
      const oldest = this.history[0] ? Number(this.history[0].object.metadata.resourceVersion) : currentRv + 1;
      if (!Number.isFinite(since) || (since < oldest - 1 && since < currentRv)) {
        this.writeEvent(w, "ERROR", gone(fromRv));
        this.close(w);
        return readable;
      }
      for (const change of this.history) {
        if (Number(change.object.metadata.resourceVersion) > since) this.deliver(w, change);
      }
    }
    this.watchers.add(w);
    w.writer.closed.catch(() => this.close(w));
    if (timeoutSeconds && timeoutSeconds > 0) setTimeout(() => this.close(w), timeoutSeconds * 1000);
    if (bookmarks) {
      const timer = setInterval(() => {
        if (w.closed) return clearInterval(timer);
        this.writeEvent(w, "BOOKMARK", { apiVersion: bookmarks.apiVersion, kind: bookmarks.kind, metadata: { resourceVersion: bookmarks.resourceVersion() } } as KObject);
      }, BOOKMARK_INTERVAL_MS);
    }
    return readable;
  }

  private deliver(w: Watcher, change: StoredChange): void {
    if (w.closed || change.key !== w.key) return;
    if (w.namespace !== undefined && change.object.metadata.namespace !== w.namespace) return;
    if (!w.matches(change.object)) return;
    this.writeEvent(w, change.type, w.present(change.object));
  }

  private writeEvent(w: Watcher, type: string, object: KObject | KStatus): void {
    w.writer.write(encoder.encode(JSON.stringify({ type, object }) + "\n")).catch(() => this.close(w));
  }

  private close(w: Watcher): void {
    if (w.closed) return;
    w.closed = true;
    this.watchers.delete(w);
    w.writer.close().catch(() => {});
  }
}

function gone(rv: string): KStatus {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message: `too old resource version: ${rv}`,
    reason: "Expired",
    code: 410,
  };
}
