import { mkdtemp, writeFile, mkdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BundleError, bundleModule, bundleToFile } from "./bundle.ts";

async function project(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "knit-bundle-"));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(dir, name, ".."), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}

describe("bundleModule", () => {
  it("bundles a TypeScript module and its imports into one ES module", async () => {
    const dir = await project({
      "hello.ts": 'import { greet } from "./lib/greet.ts";\nexport default { fetch: (r: Request) => new Response(greet("x")) };\n',
      "lib/greet.ts": "export const greet = (name: string): string => `Hello ${name}`;\n",
    });
    const code = await bundleModule(join(dir, "hello.ts"));
    expect(code).toContain("Hello ");
    expect(code).not.toMatch(/from\s+["']\.\/lib/);
    expect(code).toMatch(/export\s*\{[^}]*default/);
    // The output is a working module: import it and call the handler.
    const mod = await import(`data:text/javascript;base64,${Buffer.from(code).toString("base64")}`);
    expect(await mod.default.fetch(new Request("http://x/")).text()).toBe("Hello x");
  });

  it("leaves runtime modules external", async () => {
    const dir = await project({
      "w.ts": 'import { DurableObject } from "cloudflare:workers";\nimport { Buffer } from "node:buffer";\nexport { DurableObject, Buffer };\n',
    });
    const code = await bundleModule(join(dir, "w.ts"));
    expect(code).toContain('"cloudflare:workers"');
    expect(code).toContain('"node:buffer"');
  });

  it("reports unresolved imports with file and line", async () => {
    const dir = await project({ "bad.ts": 'import x from "./missing.ts";\nexport default x;\n' });
    const err = await bundleModule(join(dir, "bad.ts")).catch((e) => e);
    expect(err).toBeInstanceOf(BundleError);
    expect(err.message).toMatch(/bad\.ts:1:\d+: Could not resolve "\.\/missing\.ts"/);
  });

  it("writes to a file, creating directories", async () => {
    const dir = await project({ "a.js": "export default 1;\n" });
    await bundleToFile(join(dir, "a.js"), join(dir, "out", "deep", "a.js"));
    expect(await readFile(join(dir, "out", "deep", "a.js"), "utf8")).toContain("export");
  });
});
