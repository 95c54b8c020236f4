// The dispatcher's wire format: delivery attempts as newline-delimited JSON, one per line, each
// numbered, and their outcomes sent back the same way as each attempt ends (in the order they end).

import type { Attempt, Outcome } from "../attempt.ts";
import type { StoredEvent } from "../cloudevent.ts";

interface AttemptLine {
  /** The attempt's number within its batch. */
  i: number;
  u: string;
  h: [string, string][];
  /** A text body, or null. */
  b: string | null;
  /** A binary body, in base64. */
  x?: string;
  t: number;
  r: boolean;
}

interface OutcomeLine {
  i: number;
  s: number;
  e?: string;
  r?: StoredEvent;
}

export class WireError extends Error {}

function headerPairs(headers: HeadersInit): [string, string][] {
  if (headers instanceof Headers) return [...headers];
  if (Array.isArray(headers)) return headers.map(([k, v]) => [k, v]);
  return Object.entries(headers);
}

function toBase64(bytes: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
  return btoa(bin);
}

function fromBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * The part of a line that is the same for every attempt of an event (its headers and body), kept by the
 * headers object: an event's binary form is made once and sent to each of its subscribers.
 */
const eventParts = new WeakMap<object, { body: Attempt["body"]; json: string }>();

function partsJson(a: Attempt): string {
  const cached = typeof a.headers === "object" ? eventParts.get(a.headers) : undefined;
  if (cached && cached.body === a.body) return cached.json;
  const body = a.body instanceof Uint8Array ? `null,"x":${JSON.stringify(toBase64(a.body))}` : JSON.stringify(a.body);
  const json = `"h":${JSON.stringify(headerPairs(a.headers))},"b":${body}`;
  if (typeof a.headers === "object") eventParts.set(a.headers, { body: a.body, json });
  return json;
}

/** Attempts as lines, numbered from `first`. */
export function encodeAttempts(attempts: readonly Attempt[], first = 0): string {
  return attempts.map((a, n) => `{"i":${first + n},"u":${JSON.stringify(a.url)},${partsJson(a)},"t":${a.timeoutMs},"r":${a.wantReply}}`).join("\n");
}

/** The attempts of a batch, each with its number; WireError names the line that is not one. */
export function decodeAttempts(text: string): { i: number; attempt: Attempt }[] {
  const out: { i: number; attempt: Attempt }[] = [];
  let n = 0;
  for (const raw of text.split("\n")) {
    n++;
    if (raw.trim() === "") continue;
    let line: AttemptLine;
    try {
      line = JSON.parse(raw) as AttemptLine;
    } catch {
      throw new WireError(`line ${n}: not JSON`);
    }
    if (!line || typeof line !== "object" || !Number.isInteger(line.i) || typeof line.u !== "string" || !Array.isArray(line.h) || typeof line.t !== "number") {
      throw new WireError(`line ${n}: an attempt needs i (integer), u (URL), h (header pairs) and t (timeout ms)`);
    }
    let url: URL;
    try {
      url = new URL(line.u);
    } catch {
      throw new WireError(`line ${n}: u is not a URL: ${line.u}`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new WireError(`line ${n}: u must be http or https, not ${url.protocol}`);
    const body = typeof line.x === "string" ? fromBase64(line.x) : typeof line.b === "string" ? line.b : null;
    out.push({ i: line.i, attempt: { url: line.u, headers: line.h, body, timeoutMs: line.t, wantReply: line.r === true } });
  }
  return out;
}

export function encodeOutcome(i: number, o: Outcome): string {
  const line: OutcomeLine = { i, s: o.status };
  if (o.errorBody) line.e = o.errorBody;
  if (o.reply) line.r = o.reply;
  return JSON.stringify(line) + "\n";
}

export function decodeOutcome(raw: string): { i: number; outcome: Outcome } {
  const line = JSON.parse(raw) as OutcomeLine;
  if (!Number.isInteger(line?.i) || !Number.isInteger(line.s)) throw new WireError(`not an outcome: ${raw.slice(0, 200)}`);
  return { i: line.i, outcome: { status: line.s, errorBody: line.e ?? "", reply: line.r } };
}
