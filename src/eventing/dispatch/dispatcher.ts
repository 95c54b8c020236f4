// The dispatcher: a worker of its own, run by `knit start` in a second workerd process, that makes the
// delivery attempts the event logs hand it and sends back the outcomes as they end. workerd runs a
// process's workers on one thread; with the deliveries to subscribers outside Knit made here, the
// platform's thread keeps the ingress, the event logs' SQLite and the revisions, and the outgoing HTTP
// requests run on another core. Each event log holds one WebSocket to it (GET /attempts with Upgrade).

import { attempt } from "../attempt.ts";
import { WireError, decodeAttempts, encodeOutcome } from "./wire.ts";
import { Batcher } from "../batch-window.ts";

export interface DispatcherEnv {
  /** Bearer token callers must send: the dispatcher sends requests anywhere, so not for anyone on the host. */
  DISPATCH_TOKEN: string;
}

export async function serveDispatch(request: Request, env: DispatcherEnv, send: typeof fetch = fetch): Promise<Response> {
  const path = new URL(request.url).pathname;
  if (path === "/healthz") return new Response("ok\n");
  if (request.headers.get("authorization") !== `Bearer ${env.DISPATCH_TOKEN}`) {
    await request.body?.cancel();
    return new Response("the dispatcher needs the platform's bearer token\n", { status: 401 });
  }
  if (path !== "/attempts" || request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
    await request.body?.cancel();
    return new Response("open a WebSocket on /attempts\n", { status: 426, headers: { upgrade: "websocket" } });
  }
  const [client, server] = Object.values(new WebSocketPair());
  server.accept();
  serveSocket(server, send);
  return new Response(null, { status: 101, webSocket: client });
}

/** Makes every attempt a message brings; outcomes go back gathered (see Batcher). */
function serveSocket(socket: WebSocket, send: typeof fetch): void {
  let pending = "";
  const sender = new Batcher(() => {
    const text = pending;
    pending = "";
    try {
      socket.send(text);
    } catch {
      // The event log went away: it makes again what it had not heard back about.
    }
  });
  socket.addEventListener("message", (e) => {
    if (typeof e.data !== "string") return socket.close(1003, "attempts are text");
    let batch: ReturnType<typeof decodeAttempts>;
    try {
      batch = decodeAttempts(e.data);
    } catch (err) {
      return socket.close(1007, err instanceof WireError ? err.message.slice(0, 120) : "malformed attempts");
    }
    for (const { i, attempt: a } of batch) {
      void attempt(send, a).then((outcome) => {
        pending += encodeOutcome(i, outcome);
        sender.schedule();
      });
    }
  });
  socket.addEventListener("close", () => socket.close());
}
