// The event log's side of the dispatcher: one WebSocket to it per event log, on which the attempts
// started close together (see Batcher) go as one message, and their outcomes come back the same way.
// The platform's thread then spends a line of JSON on a delivery instead of an outgoing HTTP request. Attempts the
// dispatcher does not answer (it is down, restarting, or the socket broke) are made here instead, so a
// dispatcher's failure never fails a delivery.

import type { Attempt, Outcome } from "../attempt.ts";
import { decodeOutcome, encodeAttempts } from "./wire.ts";
import { Batcher } from "../batch-window.ts";

/** Beyond an attempt's timeout, how long the dispatcher may take to report it before it is given up (504). */
const GRACE_MS = 2_000;
/** After the dispatcher could not be reached, attempts are made here for this long before it is tried again. */
const DOWN_MS = 1_000;
/** How long opening the socket may take: a dispatcher that accepts connections but never answers is down. */
const CONNECT_TIMEOUT_MS = 2_000;

interface Waiting {
  attempt: Attempt;
  sentAt: number;
  resolve: (o: Outcome) => void;
}

export class DispatchClient {
  private readonly dispatcher: Fetcher;
  private readonly token: string;
  /** Makes an attempt in this process. */
  private readonly here: (a: Attempt) => Promise<Outcome>;
  private socket: WebSocket | undefined;
  private connecting: Promise<WebSocket | undefined> | undefined;
  private downUntil = 0;
  private nextId = 0;
  private readonly waiting = new Map<number, Waiting>();
  private queued: { id: number; w: Waiting }[] = [];
  private readonly sender = new Batcher(() => void this.flush());
  private sweepTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(dispatcher: Fetcher, token: string, here: (a: Attempt) => Promise<Outcome>) {
    this.dispatcher = dispatcher;
    this.token = token;
    this.here = here;
  }

  send(a: Attempt): Promise<Outcome> {
    if (Date.now() < this.downUntil) return this.here(a);
    return new Promise((resolve) => {
      this.queued.push({ id: this.nextId++, w: { attempt: a, sentAt: Date.now(), resolve } });
      this.sender.schedule();
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queued;
    this.queued = [];
    if (!batch.length) return;
    const socket = this.socket ?? (await this.connect());
    if (!socket) {
      for (const { w } of batch) void this.here(w.attempt).then(w.resolve);
      return;
    }
    for (const { id, w } of batch) this.waiting.set(id, w);
    try {
      socket.send(encodeAttempts(batch.map(({ w }) => w.attempt), batch[0].id));
    } catch {
      this.lost(socket);
      return;
    }
    this.armSweep();
  }

  private connect(): Promise<WebSocket | undefined> {
    this.connecting ??= (async () => {
      try {
        const response = await this.dispatcher.fetch("http://dispatcher/attempts", {
          headers: { upgrade: "websocket", authorization: `Bearer ${this.token}` },
          signal: AbortSignal.timeout(CONNECT_TIMEOUT_MS),
        });
        const socket = response.webSocket;
        if (!socket) {
          await response.body?.cancel();
          throw new Error(`the dispatcher answered ${response.status}`);
        }
        socket.accept();
        socket.addEventListener("message", (e) => this.received(e.data));
        socket.addEventListener("close", () => this.lost(socket));
        socket.addEventListener("error", () => this.lost(socket));
        this.socket = socket;
        return socket;
      } catch {
        this.downUntil = Date.now() + DOWN_MS;
        return undefined;
      } finally {
        this.connecting = undefined;
      }
    })();
    return this.connecting;
  }

  private received(data: unknown): void {
    if (typeof data !== "string") return;
    for (const line of data.split("\n")) {
      if (!line) continue;
      const { i, outcome } = decodeOutcome(line);
      const w = this.waiting.get(i);
      if (!w) continue;
      this.waiting.delete(i);
      w.resolve(outcome);
    }
  }

  /** The socket is gone: what it had not answered is made here (or given up, past its time). */
  private lost(socket: WebSocket): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    try {
      socket.close();
    } catch {
      // already closed
    }
    const now = Date.now();
    for (const [id, w] of this.waiting) {
      this.waiting.delete(id);
      const left = w.attempt.timeoutMs - (now - w.sentAt);
      if (left <= 0) w.resolve({ status: 504, errorBody: `no outcome within ${w.attempt.timeoutMs} ms` });
      else void this.here({ ...w.attempt, timeoutMs: left }).then(w.resolve);
    }
  }

  /**
   * A dispatcher that stops answering but keeps its socket open (stopped, or its thread held) must not
   * hold attempts past their timeout: once one is overdue the socket counts as lost, the overdue attempts
   * end with 504 (the log retries them by their delivery spec), and the rest are made here.
   */
  private armSweep(): void {
    if (this.sweepTimer !== undefined) return;
    this.sweepTimer = setTimeout(() => {
      this.sweepTimer = undefined;
      const now = Date.now();
      const socket = this.socket;
      for (const w of this.waiting.values()) {
        if (now - w.sentAt < w.attempt.timeoutMs + GRACE_MS || !socket) continue;
        this.downUntil = now + DOWN_MS;
        this.lost(socket);
        break;
      }
      if (this.waiting.size) this.armSweep();
    }, GRACE_MS);
  }
}
