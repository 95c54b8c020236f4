// The nginx-fronted baseline of the router bench: two small workers on one raw `workerd serve`, each
// serving the same wrapper + bundled examples/hello/hello.ts, and nginx in front of them splitting
// requests 50/50 with `split_clients` over keep-alive upstreams. nginx runs as the current user from a
// temporary prefix, in the foreground, on 127.0.0.1 only.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { userInfo } from "node:os";
import { workerdBinary } from "../src/cli/start.ts";
import { bundleModule } from "../src/cli/bundle.ts";
import { WRAPPER_MODULE, USER_MODULE, WRAPPER_SOURCE } from "../src/router/wrapper.ts";
import { REVISION_COMPATIBILITY_DATE } from "../src/router/isolate.ts";
import { ensureTool, waitFor } from "./lib.ts";
import { v8FlagsLine } from "../src/cli/capnp.ts";
import { v8FlagsFromEnv } from "../src/cli/build.ts";

const HELLO = join(import.meta.dirname, "..", "examples", "hello", "hello.ts");
const NGINX_WORKERS = Number(process.env.BENCH_NGINX_WORKERS ?? 1);

export function ensureNginx(): string {
  return ensureTool("nginx", "nginx");
}

/** Two workers ("hello-a" on ports[0], "hello-b" on ports[1]) in one workerd process, each the hello
 * module itself (no Worker Loader), with the env a revision of it gets, on the V8 flags Knit runs with. */
export async function startHelloPair(dir: string, ports: [number, number]): Promise<ChildProcess> {
  writeFileSync(join(dir, "pair-user.js"), await bundleModule(HELLO));
  writeFileSync(join(dir, "pair-main.js"), WRAPPER_SOURCE);
  const worker = (name: string) => `const ${name === "hello-a" ? "helloA" : "helloB"} :Workerd.Worker = (
  modules = [ (name = ${JSON.stringify(WRAPPER_MODULE)}, esModule = embed "pair-main.js"),
              (name = ${JSON.stringify(USER_MODULE)}, esModule = embed "pair-user.js") ],
  compatibilityDate = ${JSON.stringify(REVISION_COMPATIBILITY_DATE)},
  bindings = [ (name = "TARGET", text = "World"), (name = "K_SERVICE", text = "${name}"),
               (name = "K_CONFIGURATION", text = "${name}"), (name = "K_REVISION", text = "${name}-00001") ],
);
`;
  writeFileSync(join(dir, "pair.capnp"), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (${v8FlagsLine(v8FlagsFromEnv())}
  services = [ (name = "hello-a", worker = .helloA), (name = "hello-b", worker = .helloB) ],
  sockets = [ (name = "a", address = "127.0.0.1:${ports[0]}", http = (), service = "hello-a"),
              (name = "b", address = "127.0.0.1:${ports[1]}", http = (), service = "hello-b") ],
);
${worker("hello-a")}${worker("hello-b")}`);
  const child = spawn(workerdBinary(), ["serve", join(dir, "pair.capnp"), "--experimental"], { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr?.on("data", (c: Buffer) => (err = (err + c.toString()).slice(-4000)));
  try {
    for (const port of ports) await waitFor(`workerd (hello pair) on ${port}`, () => fetch(`http://127.0.0.1:${port}/`).then((r) => r.ok, () => false), 15_000);
  } catch (e) {
    child.kill();
    throw new Error(`${(e as Error).message}\n${err}`);
  }
  return child;
}

/** nginx on 127.0.0.1:port: split_clients 50/50 on $request_id over two keep-alive upstreams. */
export async function startNginx(dir: string, port: number, upstreams: [number, number], name = "nginx"): Promise<ChildProcess> {
  const bin = ensureNginx();
  const prefix = join(dir, name);
  mkdirSync(join(prefix, "logs"), { recursive: true });
  // A master started as root would switch its workers to "nobody": keep them as the current user.
  const user = process.getuid?.() === 0 ? `user ${userInfo().username};\n` : "";
  const conf = `${user}worker_processes ${NGINX_WORKERS};
daemon off;
pid ${prefix}/nginx.pid;
error_log ${prefix}/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${prefix}/client_body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  keepalive_requests 100000;
  upstream hello_a { server 127.0.0.1:${upstreams[0]}; keepalive 64; }
  upstream hello_b { server 127.0.0.1:${upstreams[1]}; keepalive 64; }
  split_clients "$request_id" $hello_upstream {
    50% hello_a;
    *   hello_b;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://$hello_upstream;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
    }
  }
}
`;
  const file = join(prefix, "nginx.conf");
  writeFileSync(file, conf);
  const test = spawnSync(bin, ["-t", "-p", prefix, "-e", join(prefix, "logs", "error.log"), "-c", file], { encoding: "utf8" });
  if (test.status !== 0) throw new Error(`nginx -t refused the config:\n${test.stderr}`);
  const child = spawn(bin, ["-p", prefix, "-e", join(prefix, "logs", "error.log"), "-c", file], { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr?.on("data", (c: Buffer) => (err = (err + c.toString()).slice(-4000)));
  try {
    await waitFor(`nginx on ${port}`, () => fetch(`http://127.0.0.1:${port}/`).then((r) => r.ok, () => false), 15_000);
  } catch (e) {
    child.kill();
    throw new Error(`${(e as Error).message}\n${err}`);
  }
  return child;
}

/** nginx's own config line for the report. */
export function nginxSummary(): string {
  return `nginx ${NGINX_WORKERS} worker process${NGINX_WORKERS === 1 ? "" : "es"}, split_clients "$request_id" 50%/50% over two upstreams with keepalive 64, proxy_http_version 1.1`;
}
