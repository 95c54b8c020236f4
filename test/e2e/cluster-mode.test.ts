// Cluster mode (`knit start --cluster`): Knit's API as a stand-in Kubernetes API server for the bridge.
// kubectl drives built-in kinds (Deployment with its scale subresource, Lease, Secret, RBAC) and any kind
// a CustomResourceDefinition declares; Knit's own Knative kinds and reconcilers are absent.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { ROOT, startKnit, type KnitHandle } from "./helpers/platform.ts";
import { kubectlApply } from "./helpers/kube.ts";

let knit: KnitHandle;

beforeAll(async () => {
  knit = await startKnit({ args: ["--cluster"] });
}, 120_000);
afterAll(async () => {
  await knit?.stop();
});

const KSVC_CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: services.serving.knative.dev
spec:
  group: serving.knative.dev
  scope: Namespaced
  names:
    kind: Service
    plural: services
    singular: service
    shortNames: [kservice, ksvc]
    categories: [all, knative, serving]
  versions:
    - name: v1
      served: true
      storage: true
      subresources:
        status: {}
      schema:
        openAPIV3Schema:
          type: object
          x-kubernetes-preserve-unknown-fields: true
      additionalPrinterColumns:
        - { name: URL, type: string, jsonPath: .status.url }
        - { name: Ready, type: string, jsonPath: ".status.conditions[?(@.type=='Ready')].status" }
`;

describe("cluster mode", () => {
  it("serves the built-in kinds the bridge uses and not Knit's own", () => {
    const r = knit.kubectl(["api-resources", "--no-headers"]);
    expect(r.code).toBe(0);
    for (const name of ["deployments", "leases", "secrets", "serviceaccounts", "clusterroles", "customresourcedefinitions", "configmaps"]) {
      expect(r.stdout).toMatch(new RegExp(`^${name}\\s`, "m"));
    }
    expect(r.stdout).not.toMatch(/serving\.knative\.dev/);
  });

  it("a CRD's kind is served once established: create, columns, status subresource, no reconciler", () => {
    kubectlApply(knit, KSVC_CRD);
    expect(knit.kubectl(["wait", "--for", "condition=established", "crd/services.serving.knative.dev", "--timeout", "10s"]).code).toBe(0);
    kubectlApply(knit, `apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: hello
spec:
  template:
    spec:
      containers:
        - image: worker://hello
`);
    const obj = JSON.parse(knit.kubectl(["get", "ksvc", "hello", "-o", "json"]).stdout);
    expect(obj.spec.template.spec.containers[0].image).toBe("worker://hello");
    expect(obj.status).toBeUndefined();
    const patched = knit.kubectl(["patch", "ksvc", "hello", "--subresource=status", "--type=merge", "-p", '{"status":{"url":"http://hello.default.example.com","conditions":[{"type":"Ready","status":"True"}]}}']);
    expect(patched.code).toBe(0);
    expect(knit.kubectl(["get", "ksvc", "hello"]).stdout).toMatch(/hello\s+http:\/\/hello\.default\.example\.com\s+True/);
  });

  it("scales a Deployment through its scale subresource", () => {
    kubectlApply(knit, `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: web
          image: nginx
`);
    expect(knit.kubectl(["scale", "deployment", "web", "--replicas=3"]).code).toBe(0);
    expect(knit.kubectl(["get", "deployment", "web", "-o", "jsonpath={.spec.replicas}"]).stdout).toBe("3");
    expect(knit.kubectl(["scale", "deployment", "web", "--replicas=0"]).code).toBe(0);
    expect(knit.kubectl(["get", "deploy", "web", "-o", "jsonpath={.spec.replicas}"]).stdout).toBe("0");
  });

  it("keeps Leases with resourceVersion checks (409 on a stale update)", () => {
    kubectlApply(knit, `apiVersion: coordination.k8s.io/v1
kind: Lease
metadata:
  name: knit-bridge
spec:
  holderIdentity: replica-a
  leaseDurationSeconds: 15
`);
    const lease = JSON.parse(knit.kubectl(["get", "lease", "knit-bridge", "-o", "json"]).stdout);
    const stale = { ...lease, spec: { ...lease.spec, holderIdentity: "replica-b" }, metadata: { ...lease.metadata, resourceVersion: "1" } };
    const r = knit.kubectl(["replace", "-f", "-"], JSON.stringify(stale));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Conflict|modified/i);
  });

  it("deleting a CRD deletes its objects and stops serving the kind; the ingress answers nothing", async () => {
    expect(knit.kubectl(["delete", "crd", "services.serving.knative.dev"]).code).toBe(0);
    const r = knit.kubectl(["get", "ksvc"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/doesn't have a resource type|could not find the requested resource|not found/);
    expect((await knit.get("hello.default.example.com")).status).toBe(404);
  });

  it("the bridge's install manifests pass `kubectl apply -f k8s-bridge/config/ --dry-run=client`", () => {
    const r = knit.kubectl(["apply", "-f", join(ROOT, "k8s-bridge", "config"), "--dry-run=client"]);
    expect(r.code, r.stderr).toBe(0);
    for (const made of [
      "namespace/knit-system created (dry run)",
      "serviceaccount/knit-bridge created (dry run)",
      "clusterrole.rbac.authorization.k8s.io/knit-bridge created (dry run)",
      "clusterrolebinding.rbac.authorization.k8s.io/knit-bridge created (dry run)",
      "role.rbac.authorization.k8s.io/knit-bridge-leader-election created (dry run)",
      "deployment.apps/knit created (dry run)",
      "service/knit created (dry run)",
      "persistentvolumeclaim/knit-state created (dry run)",
      "deployment.apps/knit-bridge created (dry run)",
      "customresourcedefinition.apiextensions.k8s.io/services.serving.knative.dev",
    ]) expect(r.stdout).toContain(made);
    // A dry run stores nothing.
    expect(knit.kubectl(["get", "deployment", "knit-bridge", "-n", "knit-system"]).code).not.toBe(0);
  });

  it("a watch that allows bookmarks gets BOOKMARK events with the current resourceVersion", async () => {
    const before = JSON.parse((await knit.apiRequest("/api/v1/namespaces/default/secrets", { authorization: `Bearer ${knit.token}` })).body).metadata.resourceVersion;
    const r = await knit.apiRequest("/api/v1/namespaces/default/secrets?watch=true&allowWatchBookmarks=true&timeoutSeconds=6&resourceVersion=" + before, { authorization: `Bearer ${knit.token}` });
    expect(r.status).toBe(200);
    const events = r.body.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
    const bookmark = events.find((e) => e.type === "BOOKMARK");
    expect(bookmark?.object).toMatchObject({ apiVersion: "v1", kind: "Secret", metadata: { resourceVersion: expect.stringMatching(/^\d+$/) } });
    expect(Number(bookmark.object.metadata.resourceVersion)).toBeGreaterThanOrEqual(Number(before));
  }, 20_000);
});
