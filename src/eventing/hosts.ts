// Knit's eventing ingress: the broker ingress host and the channels' hosts (see addresses.ts) take
// CloudEvents and hand them to the owning event log.

import { EventError, readEvent, type StoredEvent } from "./cloudevent.ts";
import { drainBody } from "../drain.ts";
import { brokerLogName, channelLogName } from "./log-config.ts";
import { BROKER_INGRESS_HOST, CHANNEL_HOST } from "./addresses.ts";


export interface EventLogs {
  /** False when nothing owns the log of that name. */
  publish(logName: string, event: StoredEvent): Promise<boolean>;
}

/** The handler for an eventing host, or undefined when `host` is not one. */
export function eventingHandler(host: string, logs: EventLogs): ((request: Request) => Promise<Response>) | undefined {
  if (host === BROKER_INGRESS_HOST) {
    return (request) => {
      const parts = pathOf(request.url).split("/").filter(Boolean).map(decodeURIComponent);
      if (parts.length !== 2) return Promise.resolve(text(404, "the broker ingress path is /{namespace}/{broker}\n"));
      return ingest(request, logs, brokerLogName(parts[0], parts[1]), `broker "${parts[1]}" not found in namespace "${parts[0]}"`);
    };
  }
  const m = CHANNEL_HOST.exec(host);
  if (m) return (request) => ingest(request, logs, channelLogName(m[3], m[1]), `channel "${m[1]}" not found in namespace "${m[3]}"`);
  return undefined;
}

/** Reads one CloudEvent and has the log store it; 202 once it is durable. */
async function ingest(request: Request, logs: EventLogs, logName: string, unknown: string): Promise<Response> {
  if (request.method !== "POST") return text(405, "send events with POST\n", { allow: "POST" });
  let event: StoredEvent;
  try {
    event = await readEvent(request);
  } catch (err) {
    if (err instanceof EventError) {
      if (err.status === 413) await drainBody(request);
      return text(err.status, `${err.message}\n`);
    }
    throw err;
  }
  if (!(await logs.publish(logName, event))) return text(404, `${unknown}\n`);
  return new Response(null, { status: 202 });
}

/**
 * The path of a request's URL, which workerd hands over already parsed and serialised: read from the string
 * rather than parsed again into a URL object, one more object per event for the collector.
 */
export function pathOf(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start < 0) return "/";
  const end = url.slice(start).search(/[?#]/);
  return end < 0 ? url.slice(start) : url.slice(start, start + end);
}

function text(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8", ...headers } });
}
