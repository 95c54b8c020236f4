// Knit's broker ingress, at broker-ingress.knative-eventing.svc.cluster.local/{namespace}/{broker}:
// reads one CloudEvent, has the Broker's event log store it, and answers 202 once it is durable.

import { EventError, readEvent } from "./cloudevent.ts";
import { brokerLogName } from "./log-config.ts";
import type { StoredEvent } from "./cloudevent.ts";

export interface BrokerLogs {
  /** False when no Broker has that name. */
  publish(logName: string, event: StoredEvent): Promise<boolean>;
}

export async function brokerIngress(request: Request, logs: BrokerLogs): Promise<Response> {
  const parts = new URL(request.url).pathname.split("/").filter(Boolean);
  if (parts.length !== 2) return text(404, "the broker ingress path is /{namespace}/{broker}\n");
  const [namespace, name] = parts.map(decodeURIComponent);
  if (request.method !== "POST") return text(405, "send events with POST\n", { allow: "POST" });
  let event: StoredEvent;
  try {
    event = await readEvent(request);
  } catch (err) {
    if (err instanceof EventError) return text(err.status, `${err.message}\n`);
    throw err;
  }
  const known = await logs.publish(brokerLogName(namespace, name), event);
  if (!known) return text(404, `broker "${name}" not found in namespace "${namespace}"\n`);
  return new Response(null, { status: 202 });
}

function text(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8", ...headers } });
}
