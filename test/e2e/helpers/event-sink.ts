// A local HTTP server standing in for event subscribers outside Knit (a Trigger's `uri`): it records
// every request by path and answers with the status its path asks for (/status/500 → 500); /hang never
// answers.

import { createServer, type IncomingHttpHeaders, type Server } from "node:http";

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface EventSink {
  port: number;
  url(path: string): string;
  received(path?: string): Received[];
  close(): Promise<void>;
}

export function startEventSink(port = 0): Promise<EventSink> {
  const got: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const path = req.url ?? "/";
      got.push({ path, headers: req.headers, body });
      if (path.startsWith("/hang")) return;
      const wanted = /^\/status\/(\d{3})/.exec(path);
      const status = wanted ? Number(wanted[1]) : 200;
      res.writeHead(status, { "content-type": "text/plain" });
      res.end(status === 200 ? "" : `failing on purpose with ${status}`);
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const actual = (server.address() as { port: number }).port;
      resolve({
        port: actual,
        url: (path) => `http://127.0.0.1:${actual}${path}`,
        received: (path) => (path === undefined ? [...got] : got.filter((r) => r.path === path)),
        close: () => new Promise((done) => {
          server.close(() => done());
          server.closeAllConnections();
        }),
      });
    });
  });
}
