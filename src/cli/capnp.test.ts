import { describe, expect, it } from "vitest";
import { capnpString, dispatcherConfig, platformConfig, type PlatformConfigOptions } from "./capnp.ts";

const base: PlatformConfigOptions = {
  workerFile: "worker.js",
  port: 8080,
  apiPort: 8081,
  doDir: "/state/.knit/do",
  token: "t0ken",
};

describe("platformConfig", () => {
  const text = platformConfig(base);

  it.each([
    ["imports workerd's schema", 'using Workerd = import "/workerd/workerd.capnp";'],
    ["ingress socket → default entrypoint", '(name = "ingress", address = "127.0.0.1:8080", http = (), service = "main")'],
    ["API socket → entrypoint api", 'service = (name = "main", entrypoint = "api")'],
    ["API socket address", 'address = "127.0.0.1:8081"'],
    ["worker module embedded", '(name = "worker.js", esModule = embed "worker.js")'],
    ["compatibility date", 'compatibilityDate = "2025-09-01"'],
    ["loader binding", '(name = "LOADER", workerLoader = ())'],
    ["store binding", '(name = "STORE", durableObjectNamespace = "Store")'],
    ["token binding", '(name = "API_TOKEN", text = "t0ken")'],
    ["public network binding", '(name = "PUBLIC_NET", service = "public-net")'],
    ["public-only network", '(name = "public-net", network = (allow = ["public"]))'],
    ["SQLite DO", '(className = "Store", uniqueKey = "knit-store", enableSql = true)'],
    ["local disk storage", 'durableObjectStorage = (localDisk = "do-disk")'],
    ["disk service", '(name = "do-disk", disk = (path = "/state/.knit/do", writable = true))'],
  ])("%s", (_what, fragment) => {
    expect(text).toContain(fragment);
  });

  it("binds the dispatcher only when one runs", () => {
    expect(text).not.toContain("DISPATCHER");
    const t = platformConfig({ ...base, dispatcherSocket: "/tmp/knit-dispatch-x/dispatcher.sock" });
    expect(t).toContain('(name = "dispatcher", external = (address = "unix:/tmp/knit-dispatch-x/dispatcher.sock", http = ()))');
    expect(t).toContain('(name = "DISPATCHER", service = "dispatcher")');
    expect(() => platformConfig({ ...base, dispatcherSocket: "relative/dispatcher.sock" })).toThrow(/invalid dispatcher socket/);
    expect(() => platformConfig({ ...base, dispatcherSocket: `/${"d".repeat(107)}` })).toThrow(/invalid dispatcher socket.*at most 107 bytes/);
  });

  it("passes V8 flags only when asked for, in both processes' configs", () => {
    expect(text).not.toContain("v8Flags");
    const flags = ["--cppgc-young-generation", "--max-old-space-size=512"];
    expect(platformConfig({ ...base, v8Flags: flags })).toContain('v8Flags = ["--cppgc-young-generation", "--max-old-space-size=512"],');
    expect(dispatcherConfig({ workerFile: "worker.js", socket: "/tmp/d.sock", token: "t", v8Flags: flags })).toContain('v8Flags = ["--cppgc-young-generation", "--max-old-space-size=512"],');
    expect(platformConfig({ ...base, v8Flags: [] })).not.toContain("v8Flags");
  });

  it("honours host and compatibility date", () => {
    const t = platformConfig({ ...base, host: "0.0.0.0", compatibilityDate: "2026-01-01" });
    expect(t).toContain('address = "0.0.0.0:8080"');
    expect(t).toContain('compatibilityDate = "2026-01-01"');
  });

  it("escapes strings so a path cannot break out of its literal", () => {
    const t = platformConfig({ ...base, doDir: '/we"ird\\dir' });
    expect(t).toContain('path = "/we\\"ird\\\\dir"');
    expect(capnpString('a"b')).toBe('"a\\"b"');
  });

  it.each([
    [{ port: 0 }, /invalid port/],
    [{ apiPort: 70000 }, /invalid api port/],
    [{ port: 9000, apiPort: 9000 }, /must differ/],
  ])("rejects %o", (override, message) => {
    expect(() => platformConfig({ ...base, ...override })).toThrow(message);
  });

  it("serves the API over https when given a key pair, the ingress stays http", () => {
    const t = platformConfig({ ...base, apiTls: { key: "-----KEY-----\nk\n", cert: "-----CERT-----\nc\n" } });
    expect(t).toContain(
      'https = (options = (), tlsOptions = (keypair = (privateKey = "-----KEY-----\\nk\\n", certificateChain = "-----CERT-----\\nc\\n")))',
    );
    expect(t).toContain('(name = "ingress", address = "127.0.0.1:8080", http = ()');
    expect(text).not.toContain("https");
  });

  it("is deterministic", () => {
    expect(platformConfig(base)).toBe(text);
  });
});

describe("dispatcherConfig", () => {
  const text = dispatcherConfig({ workerFile: "worker.js", socket: "/tmp/knit-dispatch-x/dispatcher.sock", token: "t0ken" });

  it.each([
    ["listens on a unix socket only, no TCP port", '(name = "dispatch", address = "unix:/tmp/knit-dispatch-x/dispatcher.sock", http = (),'],
    ["serves the bundle's dispatch entrypoint", 'service = (name = "dispatcher", entrypoint = "dispatch")'],
    ["reaches any address (subscribers on loopback included)", 'globalOutbound = "platform-net"'],
    ["requires the platform's token", '(name = "DISPATCH_TOKEN", text = "t0ken")'],
  ])("%s", (_what, fragment) => {
    expect(text).toContain(fragment);
  });

  it("has no other socket", () => {
    expect(text.match(/address = /g)).toHaveLength(1);
  });

  it("holds no state: no Durable Object storage", () => {
    expect(text).not.toContain("durableObject");
  });
});
