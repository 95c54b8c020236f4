// Reading manifests for `apply -f` / `delete -f`: files, directories, or stdin ("-").
// Directories: their *.yaml, *.yml and *.json files in name order, not recursive (like kubectl
// without --recursive), so a directory's order is predictable and subdirectories can hold code.

import { readdir, readFile, stat } from "node:fs/promises";
import { dirname, extname, join, resolve } from "node:path";
import { parseAllDocuments } from "yaml";

export interface Manifest {
  /** The object, as parsed. */
  object: Record<string, unknown>;
  /** Directory relative paths in the object (worker://./x) are resolved against. */
  dir: string;
  /** Where it came from, for messages: "path/file.yaml#2" or "stdin#1". */
  source: string;
}

const EXTENSIONS = new Set([".yaml", ".yml", ".json"]);

/** Parses one text into its objects; `kind: List` documents are flattened into their items. */
export function parseManifestText(text: string, source: string, dir: string): Manifest[] {
  const out: Manifest[] = [];
  const docs = parseAllDocuments(text);
  // parseAllDocuments answers an empty-stream marker (not an array) for text without documents.
  if (!Array.isArray(docs)) return out;
  docs.forEach((doc, i) => {
    if (doc.errors.length) throw new Error(`${source}: document ${i + 1}: ${doc.errors[0].message}`);
    const value = doc.toJS() as unknown;
    if (value === null || value === undefined) return; // an empty document between separators
    if (typeof value !== "object" || Array.isArray(value)) {
      throw new Error(`${source}: document ${i + 1} is not an object`);
    }
    const obj = value as Record<string, unknown>;
    const items = obj.kind === "List" || (typeof obj.kind === "string" && obj.kind.endsWith("List") && Array.isArray(obj.items))
      ? (obj.items as Record<string, unknown>[])
      : [obj];
    items.forEach((item, j) => {
      const suffix = items.length > 1 || item !== obj ? `#${i + 1}.${j + 1}` : `#${i + 1}`;
      out.push({ object: item, dir, source: `${source}${suffix}` });
    });
  });
  return out;
}

/** Reads manifests from each source in order; "-" reads stdin once. */
export async function readManifests(sources: string[], stdin: () => Promise<string> = readStdin): Promise<Manifest[]> {
  const out: Manifest[] = [];
  for (const source of sources) {
    if (source === "-") {
      out.push(...parseManifestText(await stdin(), "stdin", process.cwd()));
      continue;
    }
    const path = resolve(source);
    const info = await stat(path).catch(() => undefined);
    if (!info) throw new Error(`the path "${source}" does not exist`);
    if (info.isDirectory()) {
      const names = (await readdir(path)).filter((n) => EXTENSIONS.has(extname(n).toLowerCase())).sort();
      if (!names.length) throw new Error(`no .yaml, .yml or .json files in directory "${source}"`);
      for (const name of names) out.push(...(await readFileManifests(join(path, name), join(source, name))));
    } else {
      out.push(...(await readFileManifests(path, source)));
    }
  }
  return out;
}

async function readFileManifests(path: string, shown: string): Promise<Manifest[]> {
  return parseManifestText(await readFile(path, "utf8"), shown, dirname(path));
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
