import { describe, expect, it } from "vitest";
import { parseCommandLine, UsageError } from "./args.ts";
import { resolveKind } from "./kinds.ts";

// Compares the interesting parts: kinds by kind/version, everything else as parsed.
function summary(argv: string[], env: Record<string, string> = {}) {
  const p = parseCommandLine(argv, env) as Record<string, unknown> & { kind?: { kind: string; version: string } };
  const { kind, ...rest } = p;
  return kind ? { ...rest, kind: `${kind.kind}/${kind.version}` } : rest;
}

const globals = { stateDir: ".knit", namespace: "default", apiPort: undefined, kubeconfig: undefined };

describe("parseCommandLine", () => {
  it.each<[string[], Record<string, string>, Record<string, unknown>]>([
    [[], {}, { cmd: "help", topic: undefined, globals }],
    [["--help"], {}, { cmd: "help", topic: undefined, globals }],
    [["help", "apply"], {}, { cmd: "help", topic: "apply", globals }],
    [["get", "-h"], {}, { cmd: "help", topic: "get", globals }],
    [["start"], {}, { cmd: "start", port: 8080, apiPort: 8081, cluster: false, podRevisions: false, globals }],
    [["start", "--cluster"], {}, { cmd: "start", port: 8080, apiPort: 8081, cluster: true, podRevisions: false, globals }],
    [["start", "--pod-revisions", "--host", "0.0.0.0"], {}, { cmd: "start", port: 8080, apiPort: 8081, cluster: false, podRevisions: true, host: "0.0.0.0", globals }],
    [["start"], { KNIT_POD_REVISIONS: "true", KNIT_HOST: "0.0.0.0" }, { cmd: "start", port: 8080, apiPort: 8081, cluster: false, podRevisions: true, host: "0.0.0.0", globals }],
    [["start", "--port", "9000", "--api-port", "9001", "--state-dir", "/s"], {}, {
      cmd: "start", port: 9000, apiPort: 9001, cluster: false, podRevisions: false, globals: { ...globals, stateDir: "/s", apiPort: 9001 },
    }],
    [["start"], { KNIT_PORT: "7000", KNIT_API_PORT: "7001", KNIT_STATE_DIR: "st" }, {
      cmd: "start", port: 7000, apiPort: 7001, cluster: false, podRevisions: false, globals: { ...globals, stateDir: "st", apiPort: 7001 },
    }],
    // Flags beat the environment.
    [["start", "--port=7100"], { KNIT_PORT: "7000" }, { cmd: "start", port: 7100, apiPort: 8081, cluster: false, podRevisions: false, globals }],
    [["apply", "-f", "a.yaml", "-f", "dir/", "-n", "prod"], {}, { cmd: "apply", files: ["a.yaml", "dir/"], globals: { ...globals, namespace: "prod" } }],
    [["apply", "-f", "-"], { KUBECONFIG: "/k" }, { cmd: "apply", files: ["-"], globals: { ...globals, kubeconfig: "/k" } }],
    [["get", "ksvc"], {}, { cmd: "get", kind: "Service/v1", names: [], output: undefined, allNamespaces: false, globals }],
    [["get", "ksvc", "hello", "-o", "yaml"], {}, { cmd: "get", kind: "Service/v1", names: ["hello"], output: "yaml", allNamespaces: false, globals }],
    [["get", "rt/hello"], {}, { cmd: "get", kind: "Route/v1", names: ["hello"], output: undefined, allNamespaces: false, globals }],
    [["get", "cm", "-A", "-o", "wide"], {}, { cmd: "get", kind: "ConfigMap/v1", names: [], output: "wide", allNamespaces: true, globals }],
    [["-n", "x", "describe", "rev", "hello-00001"], {}, { cmd: "describe", kind: "Revision/v1", names: ["hello-00001"], globals: { ...globals, namespace: "x" } }],
    [["delete", "ksvc", "a", "b"], {}, { cmd: "delete", kind: "Service/v1", names: ["a", "b"], files: [], ignoreNotFound: false, globals }],
    [["delete", "-f", "x.yaml", "--ignore-not-found"], {}, { cmd: "delete", names: [], files: ["x.yaml"], ignoreNotFound: true, globals }],
    [["push", "./fn.ts"], {}, { cmd: "push", path: "./fn.ts", name: undefined, tag: undefined, globals }],
    [["push", "fn/index.ts", "--name", "fn", "--tag", "v1"], {}, { cmd: "push", path: "fn/index.ts", name: "fn", tag: "v1", globals }],
    [["build", "--out", "dist", "--token", "abc"], {}, { cmd: "build", out: "dist", port: 8080, apiPort: 8081, token: "abc", globals }],
  ])("%j %j", (argv, env, expected) => {
    expect(summary(argv, env)).toEqual(expected);
  });

  it.each<[string[], Record<string, string>, RegExp]>([
    [["frobnicate"], {}, /unknown command "frobnicate"/],
    [["start", "--port", "http"], {}, /--port: "http" is not a port/],
    [["start"], { KNIT_PORT: "99999" }, /KNIT_PORT: "99999" is not a port/],
    [["get"], {}, /a resource kind is required/],
    [["get", "ksvc", "-o", "xml"], {}, /unknown output format "xml"/],
    [["get", "ksvc", "--tag", "x"], {}, /get: unknown flag --tag/],
    [["apply"], {}, /-f FILE\|DIR\|- is required/],
    [["apply", "x.yaml"], {}, /unexpected argument "x.yaml"/],
    [["delete", "ksvc"], {}, /a name is required/],
    [["push"], {}, /exactly one PATH/],
    [["build"], {}, /--out DIR is required/],
    [["start", "--bogus"], {}, /Unknown option '--bogus'/],
  ])("rejects %j", (argv, env, message) => {
    const err = (() => {
      try {
        parseCommandLine(argv, env);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect(err?.message).toMatch(message);
  });

  it("names unknown kinds with the known ones", () => {
    expect(() => parseCommandLine(["get", "pods"])).toThrow(/doesn't have a resource type "pods"[\s\S]*ksvc/);
  });
});

describe("resolveKind (kubectl's forms)", () => {
  it.each([
    ["ksvc", "Service", "v1"],
    ["kservice", "Service", "v1"],
    ["services", "Service", "v1"],
    ["Service", "Service", "v1"],
    ["services.serving.knative.dev", "Service", "v1"],
    ["service.serving.knative.dev", "Service", "v1"],
    ["services.v1alpha1.serving.knative.dev", "Service", "v1alpha1"],
    ["rt", "Route", "v1"],
    ["routes", "Route", "v1"],
    ["cfg", "Configuration", "v1"],
    ["config", "Configuration", "v1"],
    ["configurations", "Configuration", "v1"],
    ["rev", "Revision", "v1"],
    ["revision", "Revision", "v1"],
    ["dm", "DomainMapping", "v1beta1"],
    ["domainmappings.serving.knative.dev", "DomainMapping", "v1beta1"],
    ["cdc", "ClusterDomainClaim", "v1alpha1"],
    ["cm", "ConfigMap", "v1"],
    ["configmap", "ConfigMap", "v1"],
    ["ns", "Namespace", "v1"],
    ["namespaces", "Namespace", "v1"],
  ])("%s → %s/%s", (name, kind, version) => {
    const k = resolveKind(name);
    expect(k?.kind).toBe(kind);
    expect(k?.version).toBe(version);
  });

  it("answers undefined for kinds Knit does not serve", () => {
    expect(resolveKind("pods")).toBeUndefined();
    expect(resolveKind("services.apps")).toBeUndefined();
  });
});
