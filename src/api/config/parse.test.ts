import { describe, expect, it } from "vitest";
import { parseServingConfig, validateServingConfigMap } from "./parse.ts";
import { configMap } from "../reconcilers/testing.ts";

describe("parseServingConfig", () => {
  it("uses Knative's defaults with no ConfigMaps", () => {
    expect(parseServingConfig([])).toEqual({
      domains: [{ domain: "example.com", selector: {} }],
      domainTemplate: "{{.Name}}.{{.Namespace}}.{{.Domain}}",
      tagTemplate: "{{.Tag}}-{{.Name}}",
      autocreateClusterDomainClaims: false,
      defaults: { revisionTimeoutSeconds: 300, maxRevisionTimeoutSeconds: 600, containerConcurrency: 0, containerConcurrencyMaxLimit: 1000 },
      autoscaler: {},
    });
  });

  const domainCases: [string, Record<string, string>, { domain: string; selector: Record<string, string> }[]][] = [
    ["a single default domain (example 6-8)", { "dev.gswkbook.com": "" }, [{ domain: "dev.gswkbook.com", selector: {} }]],
    ["a selector and a default (example 6-10)",
      { "prod.gswkbook.com": "selector:\n  environment: prod\n", "dev.gswkbook.com": "" },
      [{ domain: "dev.gswkbook.com", selector: {} }, { domain: "prod.gswkbook.com", selector: { environment: "prod" } }]],
    ["only selectors: example.com stays the default",
      { "prod.example.org": "selector:\n  app: x" },
      [{ domain: "example.com", selector: {} }, { domain: "prod.example.org", selector: { app: "x" } }]],
    ["the _example key is documentation", { _example: "long text" }, [{ domain: "example.com", selector: {} }]],
    ["svc.cluster.local as the default", { "svc.cluster.local": "" }, [{ domain: "svc.cluster.local", selector: {} }]],
  ];
  it.each(domainCases)("config-domain: %s", (_, data, domains) => {
    expect(parseServingConfig([configMap("config-domain", data)]).domains).toEqual(domains);
  });

  const networkCases: [string, Record<string, string>, Partial<ReturnType<typeof parseServingConfig>>][] = [
    ["custom templates", { "domain-template": "{{.Name}}-{{.Namespace}}.{{.Domain}}", "tag-template": "{{.Name}}-{{.Tag}}" },
      { domainTemplate: "{{.Name}}-{{.Namespace}}.{{.Domain}}", tagTemplate: "{{.Name}}-{{.Tag}}" }],
    ["legacy camelCase keys", { domainTemplate: "{{.Name}}.{{.Domain}}" }, { domainTemplate: "{{.Name}}.{{.Domain}}" }],
    ["an invalid template falls back to the default", { "domain-template": "{{.Annotations.x}}.{{.Domain}}" },
      { domainTemplate: "{{.Name}}.{{.Namespace}}.{{.Domain}}" }],
    ["a template with a path falls back", { "domain-template": "{{.Name}}.{{.Domain}}/x" }, { domainTemplate: "{{.Name}}.{{.Namespace}}.{{.Domain}}" }],
    ["autocreate-cluster-domain-claims", { "autocreate-cluster-domain-claims": "true" }, { autocreateClusterDomainClaims: true }],
  ];
  it.each(networkCases)("config-network: %s", (_, data, expected) => {
    expect(parseServingConfig([configMap("config-network", data)])).toMatchObject(expected);
  });

  it("reads config-defaults and keeps config-autoscaler raw", () => {
    const config = parseServingConfig([
      configMap("config-defaults", { "revision-timeout-seconds": "120", "container-concurrency": "10", "max-revision-timeout-seconds": "x" }),
      configMap("config-autoscaler", { "enable-scale-to-zero": "true" }),
    ]);
    expect(config.defaults).toEqual({ revisionTimeoutSeconds: 120, maxRevisionTimeoutSeconds: 600, containerConcurrency: 10, containerConcurrencyMaxLimit: 1000 });
    expect(config.autoscaler).toEqual({ "enable-scale-to-zero": "true" });
  });
});

describe("validateServingConfigMap", () => {
  const cases: [string, ReturnType<typeof configMap>, number][] = [
    ["valid network", configMap("config-network", { "domain-template": "{{.Name}}.{{.Domain}}" }), 0],
    ["unknown template field", configMap("config-network", { "tag-template": "{{.Namespace}}-{{.Tag}}" }), 1],
    ["bad bool", configMap("config-network", { "autocreate-cluster-domain-claims": "yes" }), 1],
    ["bad YAML selector", configMap("config-domain", { "a.com": "selector: [" }), 1],
    ["bad number", configMap("config-defaults", { "container-concurrency": "-1" }), 1],
  ];
  it.each(cases)("%s", (_, cm, count) => {
    expect(validateServingConfigMap(cm)).toHaveLength(count);
  });
});
