// One delivery attempt of an event to a subscriber, as Knative's dispatcher makes it: a POST in binary
// mode, answered in full (the reply event, or the error's text) within the delivery's timeout. The event
// log runs it in the platform; the dispatcher process runs the same function for the deliveries the
// log hands it.

import { type StoredEvent, replyEvent } from "./cloudevent.ts";
import { Deadlines } from "./deadlines.ts";

/** Sends an HTTP request to a URL (through Knit's own ingress when it serves the host, else outside). */
export type Sender = (url: string, init: RequestInit) => Promise<Response>;

/** How an attempt ended: an HTTP status (502 for a network error, 504 past the timeout), and what came back. */
export interface Outcome {
  status: number;
  reply?: StoredEvent;
  errorBody: string;
}

export interface Attempt {
  url: string;
  headers: HeadersInit;
  body: string | Uint8Array | null;
  timeoutMs: number;
  /** Read a reply event from a 2xx answer (false: the body is discarded). */
  wantReply: boolean;
}

const deadlines = new Deadlines();

export async function attempt(send: Sender, a: Attempt): Promise<Outcome> {
  const deadline = deadlines.join(a.timeoutMs);
  try {
    const body = a.body instanceof Uint8Array ? a.body.slice() : a.body;
    const response = await send(a.url, { method: "POST", headers: a.headers, body, signal: deadline.signal });
    if (response.ok) return { status: response.status, reply: a.wantReply ? await replyEvent(response) : (await response.body?.cancel(), undefined), errorBody: "" };
    return { status: response.status, errorBody: await response.text().catch(() => "") };
  } catch (err) {
    const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
    return { status: timedOut ? 504 : 502, errorBody: err instanceof Error ? err.message : String(err) };
  } finally {
    deadline.leave();
  }
}
