import { createPrivateKey, X509Certificate } from "node:crypto";
import { createServer } from "node:https";
import { mkdtemp, readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ApiClient } from "./client.ts";
import { ensureTls, generateSelfSigned } from "./tls.ts";

describe("generateSelfSigned", () => {
  const now = new Date("2026-06-01T00:00:00Z");
  const tls = generateSelfSigned("knit", now);
  const x = new X509Certificate(tls.cert);

  it("is a self-signed CA certificate for 127.0.0.1 and localhost, valid ten years", () => {
    expect(x.subject).toBe("CN=knit");
    expect(x.issuer).toBe("CN=knit");
    expect(x.ca).toBe(true);
    expect(x.verify(x.publicKey)).toBe(true);
    expect(x.checkPrivateKey(createPrivateKey(tls.key))).toBe(true);
    expect(x.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(x.checkHost("localhost")).toBe("localhost");
    expect(new Date(x.validFrom).getTime()).toBeLessThan(now.getTime());
    expect(new Date(x.validTo).getUTCFullYear()).toBe(2036);
  });

  it("is trusted by a TLS client given it as the CA (as kubectl is through the kubeconfig)", async () => {
    const fresh = generateSelfSigned();
    const server = createServer({ key: fresh.key, cert: fresh.cert }, (_req, res) => res.end('{"ok":true}'));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as { port: number };
    try {
      const client = new ApiClient({ server: `https://127.0.0.1:${port}`, token: "t", ca: fresh.cert });
      expect(await client.get("/")).toEqual({ ok: true });
      const untrusting = new ApiClient({ server: `https://127.0.0.1:${port}`, token: "t" });
      await expect(untrusting.get("/")).rejects.toThrow(/cannot reach the Knit API/);
    } finally {
      server.close();
    }
  });
});

describe("ensureTls", () => {
  it("creates key and certificate once (key 0600) and keeps them", async () => {
    const dir = join(await mkdtemp(join(tmpdir(), "knit-tls-")), "tls");
    const first = await ensureTls(dir);
    expect((await stat(join(dir, "key.pem"))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(dir, "cert.pem"), "utf8")).toBe(first.cert);
    expect(await ensureTls(dir)).toEqual(first);
  });
});
