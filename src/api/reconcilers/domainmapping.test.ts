import { describe, expect, it } from "vitest";
import type { ClusterDomainClaim, DomainMapping, KReference } from "../types.ts";
import { TestWorld, ksvc } from "./testing.ts";

const DM = "domainmappings.serving.knative.dev" as const;
const CDC = "clusterdomainclaims.networking.internal.knative.dev" as const;

const mapping = (host: string, ref: KReference, namespace = "default"): DomainMapping => ({
  apiVersion: "serving.knative.dev/v1beta1", kind: "DomainMapping", metadata: { name: host, namespace }, spec: { ref },
});
const claim = (host: string, namespace: string): ClusterDomainClaim => ({
  apiVersion: "networking.internal.knative.dev/v1alpha1", kind: "ClusterDomainClaim", metadata: { name: host }, spec: { namespace },
});
const svcRef: KReference = { apiVersion: "serving.knative.dev/v1", kind: "Service", name: "hello" };

describe("DomainMapping", () => {
  const cases: [string, { autocreate?: boolean; claimNs?: string; ref?: KReference; noService?: boolean }, Record<string, [string, string?]>][] = [
    ["claimed by this namespace", { claimNs: "default" }, { DomainClaimed: ["True"], ReferenceResolved: ["True"], IngressReady: ["True"], Ready: ["True"] }],
    ["autocreated claim", { autocreate: true }, { DomainClaimed: ["True"], Ready: ["True"] }],
    ["claimed by another namespace", { claimNs: "other", autocreate: true },
      { DomainClaimed: ["False", "DomainAlreadyClaimed"], IngressReady: ["Unknown", "IngressNotConfigured"], Ready: ["False", "DomainAlreadyClaimed"] }],
    ["no claim and no autocreate", {}, { DomainClaimed: ["False", "DomainClaimFailed"], Ready: ["False", "DomainClaimFailed"] }],
    ["reference to a Route", { claimNs: "default", ref: { apiVersion: "serving.knative.dev/v1", kind: "Route", name: "hello" } }, { Ready: ["True"] }],
    ["missing Service", { claimNs: "default", noService: true }, { ReferenceResolved: ["False", "ResolveFailed"], Ready: ["False", "ResolveFailed"] }],
    ["reference to another namespace", { claimNs: "default", ref: { ...svcRef, namespace: "other" } }, { ReferenceResolved: ["False", "ResolveFailed"] }],
    ["unsupported kind", { claimNs: "default", ref: { apiVersion: "v1", kind: "Service", name: "hello" } }, { ReferenceResolved: ["False", "ResolveFailed"] }],
  ];
  it.each(cases)("%s", (_, o, expected) => {
    const w = new TestWorld();
    w.config.autocreateClusterDomainClaims = !!o.autocreate;
    if (o.claimNs) w.apply(claim("app.example.org", o.claimNs));
    if (!o.noService) w.apply(ksvc("hello"));
    w.apply(mapping("app.example.org", o.ref ?? svcRef));
    w.settle();
    const dm = w.get<DomainMapping>(DM, "default", "app.example.org")!;
    expect(dm.status).toMatchObject({ url: "http://app.example.org", address: { url: "http://app.example.org" } });
    for (const [type, [status, reason]] of Object.entries(expected)) {
      const c = dm.status?.conditions?.find((x) => x.type === type);
      expect(c, type).toMatchObject(reason ? { status, reason } : { status });
    }
    if (o.autocreate && !o.claimNs) {
      expect(w.get<ClusterDomainClaim>(CDC, undefined, "app.example.org")).toMatchObject({ spec: { namespace: "default" }, metadata: { name: "app.example.org" } });
      expect(w.get<ClusterDomainClaim>(CDC, undefined, "app.example.org")!.metadata.ownerReferences).toBeUndefined();
    }
  });

  it("becomes Ready when the claim appears later", () => {
    const w = new TestWorld();
    w.apply(ksvc("hello"));
    w.apply(mapping("app.example.org", svcRef));
    w.settle();
    w.apply(claim("app.example.org", "default"));
    w.settle();
    expect(w.get<DomainMapping>(DM, "default", "app.example.org")!.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
  });
});
