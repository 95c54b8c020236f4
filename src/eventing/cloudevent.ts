// CloudEvents 1.0 over HTTP (binary and structured mode), parsed and serialised through the cloudevents
// SDK. Knit stores an event in the JSON event format (attributes, plus `data` or `data_base64`) and
// delivers it in binary mode, as Knative's dispatchers do.

import { CloudEvent, HTTP, ValidationError } from "cloudevents";

/** An event in the CloudEvents JSON format. */
export type StoredEvent = Record<string, unknown> & { id: string; source: string; type: string; specversion: string };

/** Knative's brokers take events up to this size; bigger ones get 413. */
export const MAX_EVENT_BYTES = 1024 * 1024;

const REQUIRED = ["id", "source", "specversion", "type"] as const;
const SPEC_VERSIONS = ["1.0", "0.3"];
const STRUCTURED = "application/cloudevents+json";
/** One decoder for every event: each object made per event is one more for the collector to sweep. */
const utf8 = new TextDecoder();

export class EventError extends Error {
  readonly status: 400 | 413 | 415;
  constructor(status: 400 | 413 | 415, message: string) {
    super(message);
    this.status = status;
  }
}

function isText(contentType: string): boolean {
  return contentType === "" || /^(text\/|application\/(.*\+)?(json|xml)|application\/x-www-form-urlencoded)/i.test(contentType);
}

/** Reads one CloudEvent from an HTTP request, or throws EventError naming what is wrong. */
export async function readEvent(request: Request, maxBytes = MAX_EVENT_BYTES): Promise<StoredEvent> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw new EventError(413, `the event is ${declared} bytes; the limit is ${maxBytes}`);
  const bytes = new Uint8Array(await request.arrayBuffer());
  if (bytes.byteLength > maxBytes) throw new EventError(413, `the event is ${bytes.byteLength} bytes; the limit is ${maxBytes}`);
  const headers: Record<string, string> = {};
  request.headers.forEach((v, k) => (headers[k] = v));
  const contentType = (headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
  if (contentType === "application/cloudevents-batch+json") throw new EventError(415, "batched CloudEvents are not accepted; send one event per request");

  let given: Record<string, unknown>;
  if (contentType === STRUCTURED) {
    try {
      given = JSON.parse(utf8.decode(bytes)) as Record<string, unknown>;
    } catch (err) {
      throw new EventError(400, `malformed structured CloudEvent: the body is not JSON (${(err as Error).message})`);
    }
    if (!given || typeof given !== "object" || Array.isArray(given)) throw new EventError(400, "malformed structured CloudEvent: the body is not a JSON object");
  } else {
    if (!("ce-specversion" in headers) && !("ce-id" in headers)) {
      throw new EventError(400, `not a CloudEvent: no ce-specversion header (binary mode) and the content type is not ${STRUCTURED} (structured mode)`);
    }
    given = {};
    for (const [k, v] of Object.entries(headers)) if (k.startsWith("ce-")) given[k.slice(3)] = v;
  }
  for (const attr of REQUIRED) {
    const v = given[attr];
    if (typeof v !== "string" || v === "") {
      const where = contentType === STRUCTURED ? `"${attr}"` : `header ce-${attr}`;
      throw new EventError(400, `the CloudEvent is missing the required attribute ${attr} (${where})`);
    }
  }
  if (!SPEC_VERSIONS.includes(given.specversion as string)) throw new EventError(400, `unsupported specversion "${String(given.specversion)}" (use 1.0)`);

  let event: CloudEvent;
  try {
    // The SDK's CloudEvent holds and validates the event; the attributes come from the headers (binary
    // mode) or the JSON (structured mode) read above, which spares HTTP.toEvent's second pass over both.
    const attributes = contentType === STRUCTURED ? given : { ...given, ...binaryData(contentType, headers["content-type"], bytes) };
    event = new CloudEvent(attributes, false);
    event.validate();
  } catch (err) {
    if (err instanceof EventError) throw err;
    if (err instanceof ValidationError) {
      const detail = (err.errors ?? []).map((e) => (typeof e === "object" && e && "instancePath" in e ? `${String((e as { instancePath: string }).instancePath).slice(1)} ${(e as { message?: string }).message}` : String(e)));
      throw new EventError(400, `invalid CloudEvent: ${[err.message.split("\n")[0], ...detail].join("; ")}`);
    }
    throw new EventError(400, `malformed CloudEvent: ${err instanceof Error ? err.message : String(err)}`);
  }
  const stored = { ...event.toJSON() } as StoredEvent;
  // The SDK stamps a time on events that had none; the event is passed on as it came.
  if (given.time === undefined) delete stored.time;
  return stored;
}

/** A binary-mode body as the event's data: JSON parsed, text as a string, anything else as bytes. */
function binaryData(contentType: string, header: string | undefined, bytes: Uint8Array): Record<string, unknown> {
  const out: Record<string, unknown> = header ? { datacontenttype: header } : {};
  if (bytes.byteLength === 0) return out;
  if (/^application\/(.*\+)?json$/.test(contentType)) {
    try {
      out.data = JSON.parse(utf8.decode(bytes));
    } catch (err) {
      throw new EventError(400, `malformed CloudEvent: the ${contentType} body is not JSON (${(err as Error).message})`);
    }
  } else if (isText(contentType)) {
    out.data = utf8.decode(bytes);
  } else {
    out.data = bytes;
  }
  return out;
}

/**
 * The event in binary mode, as Knative delivers it. The headers are a plain object (lower-case names), not
 * a Headers: one more C++ object per event for the collector, and every caller only passes them on.
 */
export function toBinary(event: StoredEvent, extraHeaders: Record<string, string> = {}): { headers: Record<string, string>; body: string | Uint8Array | null } {
  const message = HTTP.binary(new CloudEvent(event, false));
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(message.headers)) if (v !== undefined) headers[k.toLowerCase()] = String(v);
  if (event.time === undefined) delete headers["ce-time"];
  if (event.datacontenttype === undefined && !(typeof event.data === "object" && event.data !== null)) delete headers["content-type"];
  for (const [k, v] of Object.entries(extraHeaders)) headers[k.toLowerCase()] = v;
  const body = event.data_base64 !== undefined ? base64Bytes(String(event.data_base64)) : event.data === undefined ? null : bodyOf(message.body);
  return { headers, body };
}

function bodyOf(body: unknown): string | Uint8Array {
  if (typeof body === "string" || body instanceof Uint8Array) return body;
  return typeof body === "object" && body !== null ? JSON.stringify(body) : String(body);
}

/** A subscriber's reply: the CloudEvent in its response, if it sent one. */
export async function replyEvent(response: Response): Promise<StoredEvent | undefined> {
  const contentType = response.headers.get("content-type") ?? "";
  if (!response.headers.has("ce-id") && !contentType.startsWith(STRUCTURED)) return undefined;
  try {
    return await readEvent(new Request("http://reply/", { method: "POST", headers: response.headers, body: await response.arrayBuffer() }));
  } catch {
    return undefined;
  }
}

function base64Bytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
