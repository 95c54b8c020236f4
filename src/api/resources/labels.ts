// Label and annotation keys Knative puts on serving objects.

export const SERVICE_LABEL = "serving.knative.dev/service";
export const SERVICE_UID_LABEL = "serving.knative.dev/serviceUID";
export const CONFIGURATION_LABEL = "serving.knative.dev/configuration";
export const CONFIGURATION_GENERATION_LABEL = "serving.knative.dev/configurationGeneration";
export const CONFIGURATION_UID_LABEL = "serving.knative.dev/configurationUID";
export const ROUTE_LABEL = "serving.knative.dev/route";

/** `networking.knative.dev/visibility: cluster-local` keeps a Route off the external domain. */
export const VISIBILITY_LABEL = "networking.knative.dev/visibility";
/** The pre-1.0 spelling, still honoured. */
export const LEGACY_VISIBILITY_LABEL = "serving.knative.dev/visibility";
export const CLUSTER_LOCAL = "cluster-local";

export const LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration";
/** Knative copies the Configuration's last modifier onto new Revisions as their creator. */
export const LAST_MODIFIER_ANNOTATION = "serving.knative.dev/lastModifier";
export const CREATOR_ANNOTATION = "serving.knative.dev/creator";
export const ROLLOUT_DURATION_ANNOTATIONS = ["serving.knative.dev/rollout-duration", "serving.knative.dev/rolloutDuration"];

export function withoutKeys(map: Record<string, string> | undefined, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(map ?? {})) if (!keys.includes(k)) out[k] = v;
  return out;
}
