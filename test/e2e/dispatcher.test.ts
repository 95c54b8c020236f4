// The dispatcher process: `knit start` runs a second workerd that makes the deliveries to subscribers
// outside Knit (a Trigger's `uri`), restarts it when it dies, and while it is away the platform makes
// those deliveries itself; KNIT_DISPATCHER=off runs none.

import { readFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dispatcherPid, startKnit, workerdPid, type KnitHandle } from "./helpers/platform.ts";
import { startEventSink, type EventSink } from "./helpers/event-sink.ts";
import { waitFor } from "./helpers/load.ts";
import { kubectlApply, whenReady } from "./helpers/kube.ts";

let knit: KnitHandle;
let sink: EventSink;

/** Broker "outside" with a Trigger to the sink's `path`. */
async function brokerToSink(on: KnitHandle, path: string): Promise<void> {
  kubectlApply(on, `apiVersion: eventing.knative.dev/v1
kind: Broker
metadata: { name: outside }
---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata: { name: to-sink }
spec:
  broker: outside
  subscriber: { uri: "${sink.url(path)}" }
`);
  await whenReady(on, "triggers", "to-sink");
}

beforeAll(async () => {
  [knit, sink] = await Promise.all([startKnit(), startEventSink()]);
  await brokerToSink(knit, "/outside");
}, 120_000);
afterAll(async () => {
  const pid = knit ? dispatcherPid(knit) : undefined;
  if (pid) process.kill(pid, "SIGCONT");
  await knit?.stop();
  await sink?.close();
});

function send(id: string, to: KnitHandle = knit): Promise<number> {
  return new Promise((done) => {
    const req = request({ host: "127.0.0.1", port: to.port, path: "/default/outside", method: "POST", headers: {
      host: "broker-ingress.knative-eventing.svc.cluster.local", "ce-id": id, "ce-source": "/dispatcher-test", "ce-type": "t", "ce-specversion": "1.0", "content-type": "text/plain",
    } }, (res) => {
      res.resume();
      res.on("end", () => done(res.statusCode ?? 0));
    });
    req.on("error", () => done(0));
    req.end(`event ${id}`);
  });
}

const arrived = (id: string) => sink.received("/outside").filter((r) => r.headers["ce-id"] === id).length;

/** Sends event `id` to `on`'s broker (acknowledged with 202) and waits until the sink has it at `path`. */
async function deliveredThrough(on: KnitHandle, path: string, id: string, what: string): Promise<void> {
  expect(await send(id, on)).toBe(202);
  await waitFor(what, () => (sink.received(path).some((r) => r.headers["ce-id"] === id) ? true : undefined));
}

describe("the dispatcher process", () => {
  it("makes the deliveries to a uri subscriber: a stopped dispatcher holds them until it continues", async () => {
    expect(await send("warm-up")).toBe(202);
    await waitFor("the warm-up event", () => (arrived("warm-up") > 0 ? true : undefined));
    const pid = dispatcherPid(knit);
    expect(pid).toBeDefined();
    expect(pid).not.toBe(workerdPid(knit));
    process.kill(pid!, "SIGSTOP");
    try {
      expect(await send("held")).toBe(202);
      await new Promise((r) => setTimeout(r, 1000));
      expect(arrived("held")).toBe(0);
    } finally {
      process.kill(pid!, "SIGCONT");
    }
    await waitFor("the held event after SIGCONT", () => (arrived("held") > 0 ? true : undefined));
    expect(arrived("held")).toBe(1);
  }, 30_000);

  it("is restarted when it dies, and the platform delivers meanwhile: every acknowledged event arrives", async () => {
    const before = dispatcherPid(knit)!;
    process.kill(before, "SIGKILL");
    const ids = Array.from({ length: 20 }, (_, i) => `while-down-${i}`);
    const statuses = await Promise.all(ids.map((id) => send(id)));
    expect(statuses).toEqual(ids.map(() => 202));
    await waitFor("every event sent while the dispatcher was down", () => (ids.every((id) => arrived(id) > 0) ? true : undefined));
    const after = await waitFor("a new dispatcher", () => {
      const pid = dispatcherPid(knit);
      return pid && pid !== before ? pid : undefined;
    });
    expect(knit.output()).toContain("the dispatcher exited (SIGKILL); restarting it");
    expect(await send("after-restart")).toBe(202);
    await waitFor("an event through the new dispatcher", () => (arrived("after-restart") > 0 ? true : undefined));
    expect(dispatcherPid(knit)).toBe(after);
  }, 30_000);

  it("that stops answering (its socket still open) is given up: the platform makes the deliveries", async () => {
    kubectlApply(knit, `apiVersion: eventing.knative.dev/v1
kind: Broker
metadata: { name: stalled }
---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata: { name: stalled-to-sink }
spec:
  broker: stalled
  subscriber: { uri: "${sink.url("/stalled")}" }
  delivery: { timeout: PT0.5S, retry: 5, backoffPolicy: linear, backoffDelay: PT0.5S }
`);
    await whenReady(knit, "triggers", "stalled-to-sink");
    const post = (id: string) => new Promise<number>((done) => {
      const req = request({ host: "127.0.0.1", port: knit.port, path: "/default/stalled", method: "POST", headers: {
        host: "broker-ingress.knative-eventing.svc.cluster.local", "ce-id": id, "ce-source": "/dispatcher-test", "ce-type": "t", "ce-specversion": "1.0",
      } }, (res) => {
        res.resume();
        res.on("end", () => done(res.statusCode ?? 0));
      });
      req.end(id);
    });
    const got = (id: string) => sink.received("/stalled").some((r) => r.headers["ce-id"] === id);
    expect(await post("stalled-warm-up")).toBe(202);
    await waitFor("the warm-up through the dispatcher", () => (got("stalled-warm-up") ? true : undefined));
    const pid = dispatcherPid(knit)!;
    process.kill(pid, "SIGSTOP");
    try {
      expect(await post("while-stopped")).toBe(202);
      // Overdue after its 0.5 s timeout and the 2 s grace (checked every 2 s), retried 0.5 s later from the platform.
      await waitFor("the event delivered while the dispatcher is stopped", () => (got("while-stopped") ? true : undefined), 15_000);
      expect(dispatcherPid(knit)).toBe(pid);
    } finally {
      process.kill(pid, "SIGCONT");
    }
  }, 40_000);

  it("sends nothing for anyone without the platform's token: 401", async () => {
    const socketPath = /address = "unix:([^"]+)"/.exec(readFileSync(join(knit.stateDir, "build", "dispatcher.capnp"), "utf8"))![1];
    const upgrade = { upgrade: "websocket", connection: "upgrade", "sec-websocket-version": "13", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==" };
    for (const headers of [{}, upgrade, { ...upgrade, authorization: "Bearer wrong" }]) {
      const res = await new Promise<{ status: number; body: string }>((done, fail) => {
        const req = request({ socketPath, path: "/attempts", headers }, (r) => {
          let body = "";
          r.on("data", (c: Buffer) => (body += c.toString()));
          r.on("end", () => done({ status: r.statusCode ?? 0, body }));
        });
        req.on("upgrade", () => fail(new Error("the dispatcher upgraded a request without the token")));
        req.on("error", fail);
        req.end();
      });
      expect(res.status).toBe(401);
      expect(res.body).toMatch(/bearer token/);
    }
  });

  it("that hangs is killed by its liveness probe and restarted", async () => {
    const probed = await startKnit({ env: { KNIT_LIVENESS_PERIOD_SECONDS: "1", KNIT_LIVENESS_TIMEOUT_SECONDS: "1", KNIT_LIVENESS_FAILURE_THRESHOLD: "2" } });
    try {
      await brokerToSink(probed, "/probed");
      const hung = dispatcherPid(probed)!;
      process.kill(hung, "SIGSTOP");
      await waitFor("the probe killing the hung dispatcher", () => (probed.output().includes("the dispatcher did not answer its liveness probe 2 times in a row; killing it") ? true : undefined), 20_000);
      const fresh = await waitFor("a new dispatcher", () => {
        const pid = dispatcherPid(probed);
        return pid && pid !== hung ? pid : undefined;
      });
      expect(fresh).not.toBe(hung);
      await deliveredThrough(probed, "/probed", "after-probe", "an event after the restart");
    } finally {
      await probed.stop();
    }
  }, 60_000);

  it("is not run with KNIT_DISPATCHER=off; the platform delivers itself", async () => {
    const solo = await startKnit({ env: { KNIT_DISPATCHER: "off" } });
    try {
      expect(dispatcherPid(solo)).toBeUndefined();
      await brokerToSink(solo, "/solo");
      await deliveredThrough(solo, "/solo", "solo-1", "the event delivered by the platform itself");
    } finally {
      await solo.stop();
    }
  }, 60_000);

  it("runs both workerd processes with Knit's V8 flags, then KNIT_V8_FLAGS, and delivers as before", async () => {
    const flagged = await startKnit({ env: { KNIT_V8_FLAGS: "--cppgc-young-generation --max-semi-space-size=4" } });
    try {
      for (const file of ["config.capnp", "dispatcher.capnp"]) {
        expect(readFileSync(join(flagged.stateDir, "build", file), "utf8")).toContain('v8Flags = ["--initial-old-space-size=8", "--max-semi-space-size=2", "--cppgc-young-generation", "--max-semi-space-size=4"],');
      }
      expect(dispatcherPid(flagged)).toBeDefined();
      await brokerToSink(flagged, "/flagged");
      await deliveredThrough(flagged, "/flagged", "flagged-1", "the event delivered");
    } finally {
      await flagged.stop();
    }
  }, 60_000);
});
