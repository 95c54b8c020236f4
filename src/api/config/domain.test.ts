import { describe, expect, it } from "vitest";
import { parseServingConfig } from "./parse.ts";
import { routeDomain, tagHost } from "./domain.ts";
import { renderTemplate, DOMAIN_TEMPLATE_FIELDS } from "./template.ts";
import { configMap } from "../reconcilers/testing.ts";

const gswk = parseServingConfig([configMap("config-domain", { "prod.gswkbook.com": "selector:\n  environment: prod\n", "dev.gswkbook.com": "" })]);
const custom = parseServingConfig([
  configMap("config-network", { "domain-template": "{{.Name}}-{{.Namespace}}.{{.Domain}}", "tag-template": "{{.Name}}-{{.Tag}}" }),
  configMap("config-domain", { "knit.dev": "" }),
]);
const defaults = parseServingConfig([]);

describe("routeDomain", () => {
  const cases: [string, Record<string, string> | undefined, ReturnType<typeof parseServingConfig>, string, string][] = [
    ["default domain", undefined, defaults, "hello.default.example.com", "external"],
    ["example 6-9: dev domain", undefined, gswk, "knative-custom-domain.default.dev.gswkbook.com", "external"],
    ["example 6-12: environment=prod", { environment: "prod" }, gswk, "knative-custom-domain.default.prod.gswkbook.com", "external"],
    ["non-matching label value", { environment: "staging" }, gswk, "knative-custom-domain.default.dev.gswkbook.com", "external"],
    ["custom domain-template", undefined, custom, "hello-default.knit.dev", "external"],
    ["cluster-local label", { "networking.knative.dev/visibility": "cluster-local" }, custom, "hello.default.svc.cluster.local", "cluster-local"],
    ["legacy visibility label", { "serving.knative.dev/visibility": "cluster-local" }, defaults, "hello.default.svc.cluster.local", "cluster-local"],
    ["svc.cluster.local as default domain", undefined, parseServingConfig([configMap("config-domain", { "svc.cluster.local": "" })]),
      "hello.default.svc.cluster.local", "cluster-local"],
  ];
  it.each(cases)("%s", (_, labels, config, host, visibility) => {
    const name = host.startsWith("knative-custom-domain") ? "knative-custom-domain" : "hello";
    expect(routeDomain({ name, namespace: "default", labels }, config)).toEqual({ host, visibility });
  });

  it("prefers the selector with more matching keys, then the smaller name", () => {
    const config = parseServingConfig([configMap("config-domain", {
      "one.com": "selector:\n  a: x\n", "two.com": "selector:\n  a: x\n  b: y\n", "aaa.com": "selector:\n  a: x\n", "d.com": "",
    })]);
    expect(routeDomain({ name: "r", namespace: "n", labels: { a: "x", b: "y" } }, config).host).toBe("r.n.two.com");
    expect(routeDomain({ name: "r", namespace: "n", labels: { a: "x" } }, config).host).toBe("r.n.aaa.com");
  });
});

describe("tagHost", () => {
  const cases: [string, Record<string, string> | undefined, ReturnType<typeof parseServingConfig>, string][] = [
    ["default templates", undefined, defaults, "candidate-hello.default.example.com"],
    ["custom tag and domain templates", undefined, custom, "hello-candidate-default.knit.dev"],
    ["selected domain", { environment: "prod" }, gswk, "candidate-hello.default.prod.gswkbook.com"],
    ["cluster-local keeps the tag template but not the domain template", { "networking.knative.dev/visibility": "cluster-local" }, custom,
      "hello-candidate.default.svc.cluster.local"],
  ];
  it.each(cases)("%s", (_, labels, config, host) => {
    expect(tagHost("candidate", "hello", "default", labels, config)).toBe(host);
  });
});

describe("renderTemplate", () => {
  it("accepts spaces inside actions", () => {
    expect(renderTemplate("{{ .Name }}.{{.Domain}}", { Name: "a", Domain: "b.c" }, DOMAIN_TEMPLATE_FIELDS)).toBe("a.b.c");
  });
  it.each(["{{.Tag}}.{{.Domain}}", "{{.Annotations.x}}", "{{index .Labels \"x\"}}", "{{.Name", "{{.Name}}}}"])("rejects %s", (t) => {
    expect(() => renderTemplate(t, { Name: "a" }, DOMAIN_TEMPLATE_FIELDS)).toThrow();
  });
});
