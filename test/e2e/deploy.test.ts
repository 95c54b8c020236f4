// The Cloudflare path: wrangler accepts wrangler.toml and bundles the platform (dry run, no account).

import { spawnSync } from "node:child_process";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./helpers/platform.ts";

describe("wrangler deploy --dry-run", () => {
  it("bundles the platform with its Durable Object and Worker Loader bindings", () => {
    const out = mkdtempSync(join(tmpdir(), "knit-wrangler-"));
    const r = spawnSync(join(ROOT, "node_modules", ".bin", "wrangler"), ["deploy", "--dry-run", "--outdir", out], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" },
      timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("env.STORE (Store)");
    expect(r.stdout).toContain("env.LOADER");
    expect(statSync(join(out, "index.js")).size).toBeGreaterThan(10_000);
  });
});
