// One request at a time over one keep-alive connection, from a process of its own so that the bench
// process's heap (watches, thousands of objects) adds no garbage-collection pauses to the figures.
//   node bench/sequential-client.mjs <port> <host> <warm-up requests> <requests>   → JSON on stdout

import { Agent, request } from "node:http";

const [port, host, warmup, count] = [Number(process.argv[2]), process.argv[3], Number(process.argv[4]), Number(process.argv[5])];
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function one() {
  const start = process.hrtime.bigint();
  return new Promise((done, fail) => {
    const req = request({ host: "127.0.0.1", port, path: "/", agent, headers: { host } }, (res) => {
      res.resume();
      res.on("end", () => (res.statusCode === 200 ? done(Number(process.hrtime.bigint() - start) / 1e6) : fail(new Error(`status ${res.statusCode} from ${host}`))));
    });
    req.on("error", fail);
    req.end();
  });
}

for (let i = 0; i < warmup; i++) await one();
const samples = [];
for (let i = 0; i < count; i++) samples.push(await one());
agent.destroy();
samples.sort((a, b) => a - b);
const at = (p) => samples[Math.min(samples.length - 1, Math.ceil((p / 100) * samples.length) - 1)];
process.stdout.write(JSON.stringify({ p50ms: at(50), p99ms: at(99), requests: samples.length }));
