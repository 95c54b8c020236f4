// A liveness probe on workerd, as a kubelet has on a container: a revision stuck in a synchronous loop
// holds workerd's thread (workerd does not enforce CPU limits locally), and then nothing answers, /healthz
// included. After `failureThreshold` probes in a row fail, knit kills workerd and restarts it.

import { request as httpRequest } from "node:http";
import { request } from "node:https";

export interface LivenessOptions {
  periodMs: number;
  timeoutMs: number;
  failureThreshold: number;
}

/** Kubernetes' probe fields, from the environment: KNIT_LIVENESS_PERIOD_SECONDS (5), _TIMEOUT_SECONDS (5), _FAILURE_THRESHOLD (3). */
export function livenessOptions(env: NodeJS.ProcessEnv = process.env): LivenessOptions {
  const seconds = (name: string, fallback: number) => {
    const v = Number(env[name]);
    return (Number.isFinite(v) && v > 0 ? v : fallback) * 1000;
  };
  const threshold = Number(env.KNIT_LIVENESS_FAILURE_THRESHOLD);
  return {
    periodMs: seconds("KNIT_LIVENESS_PERIOD_SECONDS", 5),
    timeoutMs: seconds("KNIT_LIVENESS_TIMEOUT_SECONDS", 5),
    failureThreshold: Number.isInteger(threshold) && threshold > 0 ? threshold : 3,
  };
}

/** GET /healthz on the API with the token: true when it answers 200 within the timeout. */
export function probeHealth(apiUrl: string, token: string, ca: string, timeoutMs: number): Promise<boolean> {
  return new Promise((done) => {
    const req = request(`${apiUrl}/healthz`, { headers: { authorization: `Bearer ${token}` }, ca, timeout: timeoutMs }, (res) => {
      res.resume();
      done(res.statusCode === 200);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => done(false));
    req.end();
  });
}

/** GET /healthz over plain http (the dispatcher): true when it answers 200 within the timeout. */
export function probeHttp(url: string, timeoutMs: number, socketPath?: string): Promise<boolean> {
  return new Promise((done) => {
    const req = httpRequest(url, { timeout: timeoutMs, socketPath }, (res) => {
      res.resume();
      done(res.statusCode === 200);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => done(false));
    req.end();
  });
}

/** Probes every period; calls `dead` once after `failureThreshold` failures in a row. Answers a stop function. */
export function watchLiveness(probe: () => Promise<boolean>, dead: (failures: number) => void, opts: LivenessOptions): () => void {
  let failures = 0;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const round = async () => {
    if (stopped) return;
    failures = (await probe()) ? 0 : failures + 1;
    if (stopped) return;
    if (failures >= opts.failureThreshold) {
      stopped = true;
      dead(failures);
      return;
    }
    timer = setTimeout(round, opts.periodMs);
  };
  timer = setTimeout(round, opts.periodMs);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
