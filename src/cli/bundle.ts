// One esbuild configuration for everything Knit bundles: the platform worker (`knit start`/`build`)
// and revision modules (`worker://./path` in `knit apply`, `knit push`). Same choices as wrangler:
// workerd's export conditions, ESM out, runtime modules (cloudflare:*, node:*) left to workerd.

import { build, type BuildOptions } from "esbuild";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

export const BUNDLE_OPTIONS = {
  bundle: true,
  format: "esm",
  platform: "neutral",
  // "neutral" has no main fields; packages without an `exports` map still need to resolve.
  mainFields: ["browser", "module", "main"],
  conditions: ["workerd", "worker", "browser"],
  external: ["cloudflare:*", "node:*"],
  target: "es2022",
  logLevel: "silent",
} satisfies BuildOptions;

export class BundleError extends Error {
  readonly entry: string;
  constructor(entry: string, message: string) {
    super(`cannot bundle ${entry}:\n${message}`);
    this.entry = entry;
  }
}

/** Bundles `entry` into one ES module and returns its source. */
export async function bundleModule(entry: string, alias?: Record<string, string>): Promise<string> {
  try {
    const result = await build({ ...BUNDLE_OPTIONS, entryPoints: [entry], write: false, outfile: "worker.js", ...(alias ? { alias } : {}) });
    const out = result.outputFiles.find((f) => f.path.endsWith(".js"));
    if (!out) throw new BundleError(entry, "esbuild produced no JavaScript output");
    return out.text;
  } catch (err) {
    if (err instanceof BundleError) throw err;
    throw new BundleError(entry, describeEsbuildError(err));
  }
}

const SHIMS = new URL("../eventing/node-shims/", import.meta.url).pathname;

/** The platform worker runs with nodejs_compat; CommonJS dependencies' requires of Node modules go through shims. */
export const PLATFORM_ALIAS: Record<string, string> = {
  events: `${SHIMS}events.ts`,
  util: `${SHIMS}util.ts`,
  http: `${SHIMS}no-http.ts`,
  https: `${SHIMS}no-http.ts`,
};

/** Bundles `entry` into `outfile` (directories created). */
export async function bundleToFile(entry: string, outfile: string, alias?: Record<string, string>): Promise<void> {
  const code = await bundleModule(entry, alias);
  await mkdir(dirname(outfile), { recursive: true });
  await writeFile(outfile, code);
}

// esbuild's failure carries structured messages; show them the way a compiler would (file:line: text).
function describeEsbuildError(err: unknown): string {
  const errors = (err as { errors?: { text: string; location?: { file: string; line: number; column: number } | null }[] })
    ?.errors;
  if (Array.isArray(errors) && errors.length) {
    return errors
      .map((e) => (e.location ? `  ${e.location.file}:${e.location.line}:${e.location.column}: ${e.text}` : `  ${e.text}`))
      .join("\n");
  }
  return err instanceof Error ? err.message : String(err);
}
