// `knit dev`: the platform through the Miniflare API, with the given manifests applied and every local
// `worker://./…` module they use watched: an edit re-bundles, pushes and re-applies (a new Revision).

import { statSync, watch, type FSWatcher } from "node:fs";
import { mkdir } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { startMiniflarePlatform, type MiniflarePlatform } from "./miniflare.ts";
import { applyManifests } from "./apply.ts";
import { readManifests, type Manifest } from "./manifests.ts";
import { findLocalImages, parseWorkerRef, resolveLocalPath } from "./worker-ref.ts";
import { ensureToken, statePaths } from "./state.ts";
import { PROJECT_ROOT } from "./build.ts";

export interface DevOptions {
  port: number;
  apiPort: number;
  stateDir: string;
  files: string[];
  log?: (line: string) => void;
}

/** Absolute paths of the local worker modules the manifests use. */
export function localModules(manifests: Manifest[]): string[] {
  const paths = new Set<string>();
  for (const m of manifests) {
    for (const image of findLocalImages(m.object)) {
      const ref = parseWorkerRef(image);
      if (ref?.type === "local") paths.add(resolveLocalPath(ref.path, m.dir));
    }
  }
  return [...paths];
}

export async function startDev(opts: DevOptions): Promise<{ platform: MiniflarePlatform; stop(): Promise<void> }> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const workDir = resolve(opts.stateDir, "dev");
  await mkdir(workDir, { recursive: true });
  const token = await ensureToken(statePaths(opts.stateDir).token);
  const platform = await startMiniflarePlatform({ port: opts.port, apiPort: opts.apiPort, token, workDir, persist: true });
  const files = opts.files.length ? opts.files : [join(PROJECT_ROOT, "examples", "hello")];

  const applyAll = async (): Promise<string[]> => {
    appliedFrom = Date.now();
    const manifests = await readManifests(files);
    const result = await applyManifests(manifests, { client: platform.client, namespace: "default", log });
    for (const e of result.errors) log(`error: ${e.message}`);
    for (const a of result.applied) {
      if (a.kind.kind !== "Service" || a.outcome === "unchanged") continue;
      const ksvc = await platform.client.get<{ status?: { latestCreatedRevisionName?: string } }>(
        `/apis/serving.knative.dev/v1/namespaces/${a.namespace}/services/${a.name}`,
      );
      log(`  ${a.name}: revision ${ksvc.status?.latestCreatedRevisionName ?? "(pending)"}`);
    }
    return localModules(manifests);
  };

  let watchers: FSWatcher[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = Promise.resolve();
  let appliedFrom = 0;
  const changed = (name: string, modules: string[]) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      running = running.then(async () => {
        log(`changed: ${name}; re-applying`);
        rewatch(await applyAll().catch((e: Error) => (log(`error: ${e.message}`), modules)));
      });
    }, 100);
  };
  const rewatch = (modules: string[]) => {
    for (const w of watchers) w.close();
    // Editors often replace a file rather than write it: watch the directories and filter by name.
    const byDir = new Map<string, Set<string>>();
    for (const m of modules) byDir.set(dirname(m), (byDir.get(dirname(m)) ?? new Set()).add(m));
    watchers = [...byDir].map(([dir, wanted]) =>
      watch(dir, (_event, name) => {
        if (name && !wanted.has(join(dir, name.toString()))) return;
        changed(String(name), modules);
      }),
    );
    // An edit made while the apply ran came before these watchers: it is applied now rather than missed.
    const now = Date.now();
    const edited = modules.find((m) => {
      const mtime = statSync(m, { throwIfNoEntry: false })?.mtimeMs ?? 0;
      // A time ahead of the clock (a skewed file system) would re-apply forever: only edits of this run count.
      return mtime >= appliedFrom && mtime <= now;
    });
    if (edited) changed(basename(edited), modules);
  };
  rewatch(await applyAll());
  log(`\nKnit dev (Miniflare) is running.\n  ingress: ${platform.ingressUrl}\n  API:     ${platform.apiUrl} (plain HTTP; use the knit CLI with --api-port, or knit start for kubectl)\n  watching: ${watchers.length} director${watchers.length === 1 ? "y" : "ies"}\n`);
  return {
    platform,
    async stop() {
      clearTimeout(timer);
      for (const w of watchers) w.close();
      await running;
      await platform.dispose();
    },
  };
}

/** Runs until SIGINT/SIGTERM. */
export async function runDev(opts: DevOptions): Promise<number> {
  const dev = await startDev(opts);
  await new Promise<void>((done) => {
    process.once("SIGINT", done);
    process.once("SIGTERM", done);
  });
  await dev.stop();
  return 0;
}
