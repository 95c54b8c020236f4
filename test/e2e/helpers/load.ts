// Bounded HTTP load against the local ingress: keep-alive, fixed concurrency, Host header per request.

import { Agent, request } from "node:http";

export interface Hit {
  status: number;
  body: string;
  revision?: string;
}

export function hit(agent: Agent, port: number, host: string, path = "/"): Promise<Hit> {
  return new Promise((done, fail) => {
    const req = request({ host: "127.0.0.1", port, path, agent, headers: { host } }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => done({ status: res.statusCode ?? 0, body, revision: res.headers["x-knit-revision"] as string | undefined }));
    });
    req.on("error", fail);
    req.end();
  });
}

/** Sends `count` requests with `concurrency` in flight and returns every answer. */
export async function burst(port: number, host: string, count: number, concurrency = 16): Promise<Hit[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const out: Hit[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      out.push(await hit(agent, port, host).catch((e: Error) => ({ status: 0, body: e.message })));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();
  return out;
}

/** Keeps requests flowing until `stop()`; answers every response seen. */
export function steadyLoad(port: number, host: string, concurrency = 8): { stop(): Promise<Hit[]> } {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const out: Hit[] = [];
  let running = true;
  const worker = async () => {
    while (running) out.push(await hit(agent, port, host).catch((e: Error) => ({ status: 0, body: e.message })));
  };
  const all = Promise.all(Array.from({ length: concurrency }, worker));
  return {
    async stop() {
      running = false;
      await all;
      agent.destroy();
      return out;
    },
  };
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
