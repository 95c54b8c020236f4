// The baselines' minimal worker on raw `workerd serve`: it hands each request to an isolate of the same
// wrapper + bundled examples/hello/hello.ts through the Worker Loader, as Knit's router does, but with
// no routing table, Store or activator. One isolate for everything (router bench), one per Host
// (cold-start bench: a Host never seen before is a fresh isolate; Hosts must start with "cold-"), or
// a pair of such workers for nginx to split over (router bench). They run with the V8 flags Knit runs
// its own workerd with (its defaults, then KNIT_V8_FLAGS), so that a ratio compares the request paths and not the heap settings.

import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { workerdBinary } from "../src/cli/start.ts";
import { bundleModule } from "../src/cli/bundle.ts";
import { WRAPPER_MODULE, USER_MODULE, WRAPPER_SOURCE } from "../src/router/wrapper.ts";
import { REVISION_COMPATIBILITY_DATE } from "../src/router/isolate.ts";
import { waitFor } from "./lib.ts";
import { v8FlagsLine } from "../src/cli/capnp.ts";
import { v8FlagsFromEnv } from "../src/cli/build.ts";

const HELLO = join(import.meta.dirname, "..", "examples", "hello", "hello.ts");

async function isolateCode(): Promise<string> {
  const user = await bundleModule(HELLO);
  return `{ compatibilityDate: ${JSON.stringify(REVISION_COMPATIBILITY_DATE)}, mainModule: ${JSON.stringify(WRAPPER_MODULE)},
  modules: { ${JSON.stringify(WRAPPER_MODULE)}: ${JSON.stringify(WRAPPER_SOURCE)}, ${JSON.stringify(USER_MODULE)}: ${JSON.stringify(user)} },
  env: { TARGET: "World", K_SERVICE: name, K_CONFIGURATION: name, K_REVISION: name + "-00001" }, globalOutbound: null }`;
}

export async function startDirectWorker(dir: string, port: number, mode: "one isolate" | "isolate per host"): Promise<ChildProcess> {
  const code = await isolateCode();
  const handler = mode === "one isolate"
    ? `const name = "bench";
    return env.LOADER.get("direct", () => (${code})).getEntrypoint().fetch(request);`
    : `const host = new URL(request.url).host;
    const name = host.split(".")[0];
    if (!name.startsWith("cold-")) return new Response("no such host", { status: 404 });
    return env.LOADER.get(host, () => (${code})).getEntrypoint().fetch(request);`;
  writeFileSync(join(dir, "direct.js"), `export default {
  fetch(request, env) {
    ${handler}
  },
};
`);
  writeFileSync(join(dir, "direct.capnp"), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (${v8FlagsLine(v8FlagsFromEnv())}
  services = [ (name = "direct", worker = .w) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "direct") ],
);
const w :Workerd.Worker = (
  modules = [ (name = "direct.js", esModule = embed "direct.js") ],
  compatibilityDate = "2025-09-01",
  bindings = [ (name = "LOADER", workerLoader = ()) ],
);
`);
  return startWorkerd(dir, "direct.capnp", [port], mode === "one isolate" ? 200 : 404);
}

/** Two minimal workers ("loader-a" on ports[0], "loader-b" on ports[1]) in one workerd, each handing
 * every request to its own Worker Loader isolate of the hello revision: what nginx fronts when it
 * stands where Knit's router does, in front of revision isolates run as Knit runs them. */
export async function startLoaderPair(dir: string, ports: [number, number]): Promise<ChildProcess> {
  const code = await isolateCode();
  const names = ["loader-a", "loader-b"];
  names.forEach((name) => writeFileSync(join(dir, `${name}.js`), `export default {
  fetch(request, env) {
    const name = ${JSON.stringify(name)};
    return env.LOADER.get(name, () => (${code})).getEntrypoint().fetch(request);
  },
};
`));
  const worker = (name: string) => `(name = "${name}", worker = (modules = [ (name = "${name}.js", esModule = embed "${name}.js") ], compatibilityDate = "2025-09-01", bindings = [ (name = "LOADER", workerLoader = ()) ]))`;
  writeFileSync(join(dir, "loader-pair.capnp"), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (${v8FlagsLine(v8FlagsFromEnv())}
  services = [ ${names.map(worker).join(", ")} ],
  sockets = [ ${names.map((name, i) => `(name = "${name}", address = "127.0.0.1:${ports[i]}", http = (), service = "${name}")`).join(", ")} ],
);
`);
  return startWorkerd(dir, "loader-pair.capnp", ports, 200);
}

async function startWorkerd(dir: string, config: string, ports: number[], expected: number): Promise<ChildProcess> {
  const child = spawn(workerdBinary(), ["serve", join(dir, config), "--experimental"], { stdio: "ignore" });
  try {
    for (const port of ports) await waitFor(`workerd (${config}) on ${port}`, () => fetch(`http://127.0.0.1:${port}/`).then((r) => r.status === expected, () => false), 10_000);
  } catch (e) {
    child.kill();
    throw e;
  }
  return child;
}
