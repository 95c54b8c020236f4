#!/usr/bin/env node
// The knit CLI. Its code is TypeScript run through Node 22's type stripping (Node ≥ 22.18). Invoked by
// an older Node (the machine's Node 20 outside npm scripts), it re-runs itself with the project's
// `node` devDependency instead of failing on the .ts import.

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  const projectNode = fileURLToPath(new URL("../node_modules/.bin/node", import.meta.url));
  if (!existsSync(projectNode) || process.env.KNIT_REEXEC) {
    console.error(`knit needs Node 22.18 or newer (this is ${process.version}); run it through npm (npx knit …) after npm ci`);
    process.exit(1);
  }
  const child = spawn(projectNode, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: "inherit",
    env: { ...process.env, KNIT_REEXEC: "1" },
  });
  // `knit start` stops workerd on these; pass them on rather than dying and orphaning it.
  for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  const { main } = await import("../src/cli/main.ts");
  process.exitCode = await main();
}
