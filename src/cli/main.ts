// The `knit` command: parse, dispatch, print errors the way kubectl does, exit with a status.

import { applySources } from "./apply.ts";
import { parseCommandLine, UsageError, type Parsed } from "./args.ts";
import { build } from "./build.ts";
import { ApiError, connect } from "./client.ts";
import { deleteTargets, targetsFromFiles } from "./delete.ts";
import { describe } from "./describe.ts";
import { get } from "./get.ts";
import { kindNamesHelp } from "./kinds.ts";
import { push } from "./push.ts";
import { runStart } from "./start.ts";
import { runDev } from "./dev.ts";

const GLOBAL_FLAGS = `Global flags:
  --api-port PORT      API port (env KNIT_API_PORT; default 8081, or the port in <state-dir>/kubeconfig)
  --state-dir DIR      state directory (env KNIT_STATE_DIR; default .knit)
  -n, --namespace NS   namespace (default "default")
  -h, --help           help`;

export const USAGE: Record<string, string> = {
  start: `knit start [--port 8080] [--api-port 8081] [--state-dir .knit] [--host 127.0.0.1] [--pod-revisions] [--cluster]
  Runs the platform under workerd: ingress on --port (env KNIT_PORT), the API on --api-port, state,
  token and kubeconfig under --state-dir. Applies examples/hello/ on first start. Ctrl-C stops it.
  --host (KNIT_HOST): the address both listen on. --pod-revisions (KNIT_POD_REVISIONS=true): a
  k8s-bridge runs revisions whose image is not worker:// as pods. --cluster: a stand-in Kubernetes API
  server instead (docs/kubernetes.md).`,
  dev: `knit dev [-f FILE|DIR …] [--port 8080] [--api-port 8081] [--state-dir .knit]
  Runs the platform through the Miniflare API, applies the manifests (default examples/hello/) and
  watches their worker://./… modules: an edit becomes a new Revision. The API is plain HTTP here.`,
  apply: `knit apply -f FILE|DIR|- [-f …] [-n NS]
  Creates or updates the objects in YAML/JSON files, a directory's *.yaml/*.yml/*.json files (sorted,
  not recursive) or stdin. Images worker://./path (relative to the file) are bundled, pushed and pinned.`,
  get: `knit get KIND [NAME…] [-n NS | -A] [-o yaml|json|wide|name]
  Lists objects with the server's columns (kubectl get).`,
  describe: `knit describe KIND [NAME…] [-n NS]
  Shows objects with their status conditions.`,
  delete: `knit delete KIND NAME… [-n NS] [--ignore-not-found]
knit delete -f FILE|DIR|- [--ignore-not-found]
  Deletes objects by kind and name, or those named in manifests.`,
  push: `knit push PATH [--name NAME] [--tag latest]
  Bundles a worker module (esbuild), stores it and prints worker://NAME@sha256:HEX.
  NAME defaults to the file's base name (its directory's for index.*).`,
  build: `knit build --out DIR [--port 8080] [--api-port 8081] [--state-dir .knit] [--token T]
  Writes DIR/worker.js, DIR/config.capnp and DIR/README.md to run with
  \`workerd serve DIR/config.capnp --experimental\`. Without --token, one is generated into DIR/token.`,
};

export function helpText(topic?: string): string {
  if (topic && USAGE[topic]) return `Usage: ${USAGE[topic]}\n\n${GLOBAL_FLAGS}\n`;
  return `knit: Knative serving on workerd isolates

Usage: knit COMMAND [flags]

Commands:
${Object.values(USAGE).map((u) => `  ${u.split("\n")[0]}`).join("\n")}

${GLOBAL_FLAGS}

Kinds (and their short names):
  ${kindNamesHelp().split("\n").join("\n  ")}

Run 'knit COMMAND --help' for more about a command.
`;
}

async function run(p: Parsed): Promise<number> {
  const g = p.globals;
  const client = () => connect({ stateDir: g.stateDir, apiPort: g.apiPort, kubeconfig: g.kubeconfig });
  switch (p.cmd) {
    case "help":
      process.stdout.write(helpText(p.topic));
      return 0;
    case "start":
      return runStart({ port: p.port, apiPort: p.apiPort, stateDir: g.stateDir, podRevisions: p.podRevisions, host: p.host, ...(p.cluster ? { mode: "cluster" as const, examples: null } : {}) });
    case "dev":
      return runDev({ port: p.port, apiPort: p.apiPort, stateDir: g.stateDir, files: p.files });
    case "build": {
      const out = await build({ out: p.out, port: p.port, apiPort: p.apiPort, stateDir: g.stateDir, token: p.token });
      console.log(`wrote ${out.worker}\nwrote ${out.config}\nwrote ${out.kubeconfig}${out.tokenFile ? `\ntoken in ${out.tokenFile}` : ""}`);
      console.log(`run: workerd serve ${out.config} --experimental`);
      return 0;
    }
    case "apply": {
      const result = await applySources(p.files, { client: await client(), namespace: g.namespace });
      for (const e of result.errors) console.error(`error: ${e.message}`);
      return result.errors.length ? 1 : 0;
    }
    case "get": {
      const c = await client();
      const outputs: string[] = [];
      // Several names: kubectl prints one table; here each name is fetched and the rows joined.
      const names = p.names.length ? p.names : [undefined];
      let failed = false;
      for (const [i, name] of names.entries()) {
        try {
          const { text, notice } = await get({ client: c, kind: p.kind, name, namespace: g.namespace, allNamespaces: p.allNamespaces, output: p.output });
          if (notice) console.error(notice);
          // Table headers repeat per fetch; keep the first only.
          if (text) outputs.push(i > 0 && !p.output ? text.split("\n").slice(1).join("\n") : text);
        } catch (err) {
          if (!(err instanceof ApiError)) throw err;
          console.error(err.message);
          failed = true;
        }
      }
      if (outputs.length) console.log(outputs.filter(Boolean).join(p.output === "yaml" ? "\n---\n" : "\n"));
      return failed ? 1 : 0;
    }
    case "describe": {
      const c = await client();
      const names = p.names.length ? p.names : [undefined];
      const texts: string[] = [];
      for (const name of names) texts.push(await describe({ client: c, kind: p.kind, name, namespace: g.namespace }));
      const out = texts.filter(Boolean).join("\n\n\n");
      if (out) console.log(out);
      else console.error(`No resources found in ${g.namespace} namespace.`);
      return 0;
    }
    case "delete": {
      const targets = p.files.length
        ? await targetsFromFiles(p.files, g.namespace)
        : p.names.map((name) => ({ kind: p.kind!, name, namespace: g.namespace }));
      const errors = await deleteTargets(targets, { client: await client(), ignoreNotFound: p.ignoreNotFound });
      for (const e of errors) console.error(e.message);
      return errors.length ? 1 : 0;
    }
    case "push":
      console.log(await push({ client: await client(), path: p.path, name: p.name, tag: p.tag }));
      return 0;
  }
}

/** Entry point for bin/knit.mjs: answers the exit code (never throws). */
export async function main(argv: string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): Promise<number> {
  try {
    return await run(parseCommandLine(argv, env));
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`error: ${err.message}`);
      console.error(err.command && USAGE[err.command] ? `Usage: ${USAGE[err.command]}` : "Run 'knit --help' for usage.");
      return 2;
    }
    console.error(err instanceof Error ? `error: ${err.message}` : `error: ${String(err)}`);
    return 1;
  }
}
