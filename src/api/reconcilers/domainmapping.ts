// DomainMapping: maps the host in its name to a Service or Route of its namespace, once the namespace
// holds the ClusterDomainClaim for that host (created on demand when autocreate-cluster-domain-claims).

import type { ClusterDomainClaim, DomainMapping, DomainMappingStatus, KObject, Status } from "../types.ts";
import type { ReconcileResult, Reconciler, StoreKey, World } from "./world.ts";
import { generationOf, livingConditions, markFalse, markTrue, markUnknown, type Mark } from "./conditions.ts";
import { makeClusterDomainClaim } from "../resources/domain-claim.ts";
import { SERVING_GROUP } from "../kinds.ts";

const DEPENDENTS = ["DomainClaimed", "ReferenceResolved", "IngressReady", "CertificateProvisioned"] as const;
export const CLAIMS: StoreKey = "clusterdomainclaims.networking.internal.knative.dev";

export const reconcileDomainMapping: Reconciler = (obj, world) => {
  const dm = obj as DomainMapping;
  const previous = dm.status ?? {};
  const url = `http://${dm.metadata.name}`;
  const status: DomainMappingStatus = { ...previous, observedGeneration: generationOf(dm), url, address: { url } };
  const result: ReconcileResult = {};

  const claimed = claimDomain(dm, world, result);
  const resolved = resolveReference(dm, world);
  const marks: Record<string, Mark> = {
    DomainClaimed: claimed,
    ReferenceResolved: resolved.mark,
    // Knit's ingress is the routing table, which serves every claimed and resolved mapping.
    IngressReady: claimed.status === "True" && resolved.mark.status === "True"
      ? markTrue()
      : markUnknown("IngressNotConfigured", "Ingress has not yet been reconciled."),
    CertificateProvisioned: markTrue("TLSNotEnabled", "external-domain-tls is not enabled"),
  };
  status.conditions = livingConditions(previous.conditions, marks, DEPENDENTS, world.now);
  result.status = status;
  return result;
};

function claimDomain(dm: DomainMapping, world: World, result: ReconcileResult): Mark {
  const host = dm.metadata.name!;
  const claim = world.get<ClusterDomainClaim>(CLAIMS, undefined, host);
  if (claim) {
    return claim.spec?.namespace === dm.metadata.namespace
      ? markTrue()
      : markFalse("DomainAlreadyClaimed", "The domain name is already in use by another DomainMapping");
  }
  if (!world.config.autocreateClusterDomainClaims) {
    return markFalse(
      "DomainClaimFailed",
      `no ClusterDomainClaim found for domain "${host}" (and autocreate-cluster-domain-claims property is not true)`,
    );
  }
  result.upsert = [makeClusterDomainClaim(dm)];
  return markTrue();
}

/** The referenced Service or Route must exist in the mapping's namespace and have an address. */
export function resolveReference(dm: DomainMapping, world: World): { mark: Mark; route?: string } {
  const ref = dm.spec?.ref;
  const ns = dm.metadata.namespace!;
  if (!ref?.name) return { mark: markFalse("ResolveFailed", "spec.ref is required") };
  if (ref.namespace && ref.namespace !== ns) {
    return { mark: markFalse("ResolveFailed", `resolved URI for ${ref.kind} ${ref.namespace}/${ref.name} must be in same namespace as DomainMapping`) };
  }
  const group = ref.apiVersion?.split("/")[0];
  const key: StoreKey | undefined = group !== undefined && group !== SERVING_GROUP ? undefined
    : ref.kind === "Service" ? "services.serving.knative.dev"
    : ref.kind === "Route" ? "routes.serving.knative.dev"
    : undefined;
  if (!key) {
    return { mark: markFalse("ResolveFailed", `${ref.apiVersion ?? ""} ${ref.kind} is not a Knative Service or Route; Knit can only map to those`.trim()) };
  }
  const target: KObject | undefined = world.get(key, ns, ref.name);
  if (!target) return { mark: markFalse("ResolveFailed", `failed to get object ${ns}/${ref.name}: ${key} "${ref.name}" not found`) };
  const address = (target.status as (Status & { address?: { url?: string } }) | undefined)?.address?.url;
  if (!address) return { mark: markFalse("ResolveFailed", `address not set for ${ref.kind} ${ns}/${ref.name}`) };
  // A Knative Service is served by its Route of the same name.
  return { mark: markTrue(), route: ref.name };
}
