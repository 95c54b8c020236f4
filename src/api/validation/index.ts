// Knative's validating webhook, as pure functions: field errors with Kubernetes field paths.

import type { ClusterDomainClaim, DomainMapping, KObject, RevisionSpec, ServiceSpec, TrafficTarget } from "../types.ts";
import type { ServingConfig } from "../config/serving-config.ts";
import type { StoreKey } from "../reconcilers/world.ts";
import { validateServingConfigMap } from "../config/parse.ts";
import type { FieldError } from "./field-error.ts";
import { DNS1123_LABEL, DNS1123_SUBDOMAIN, dns1035, invalid, required } from "./field-error.ts";
import { validateRevisionSpec, validateTemplate, validateTraffic, validateVisibility } from "./serving.ts";
import { validateAutoscalingAnnotations } from "./annotations.ts";
import {
  validateApiServerSource, validateBroker, validateChannel, validateContainerSource, validateParallel, validatePingSource,
  validateSequence, validateSinkBinding, validateSubscription, validateTrigger,
} from "./eventing.ts";

export type { FieldError };
export { parseGoDuration } from "./duration.ts";

function namespaceErrors(obj: KObject): FieldError[] {
  const ns = obj.metadata.namespace;
  if (ns !== undefined && (!DNS1123_LABEL.test(ns) || ns.length > 63)) return [invalid("metadata.namespace", ns, "must be a DNS-1123 label")];
  return [];
}

export function validateObject(key: StoreKey, obj: KObject, old: KObject | undefined, config: ServingConfig): FieldError[] {
  const name = obj.metadata.name ?? "";
  const errors: FieldError[] = [...namespaceErrors(obj)];
  const spec = obj.spec as ServiceSpec | undefined;
  switch (key) {
    case "services.serving.knative.dev":
      errors.push(...dns1035("metadata.name", name), ...validateVisibility(obj));
      errors.push(...validateAutoscalingAnnotations(obj.metadata.annotations, "metadata.annotations"));
      errors.push(...validateTemplate(spec?.template, name, "spec.template", config));
      errors.push(...validateTraffic(spec?.traffic, "spec.traffic", true));
      break;
    case "configurations.serving.knative.dev":
      errors.push(...dns1035("metadata.name", name));
      errors.push(...validateTemplate(spec?.template, name, "spec.template", config));
      break;
    case "routes.serving.knative.dev":
      errors.push(...dns1035("metadata.name", name), ...validateVisibility(obj));
      errors.push(...validateTraffic(spec?.traffic, "spec.traffic", false));
      break;
    case "revisions.serving.knative.dev":
      errors.push(...dns1035("metadata.name", name));
      errors.push(...validateAutoscalingAnnotations(obj.metadata.annotations, "metadata.annotations"));
      errors.push(...validateRevisionSpec(obj.spec as RevisionSpec, "spec", config));
      if (old && JSON.stringify(old.spec) !== JSON.stringify(obj.spec)) {
        errors.push({ field: "spec", message: "Immutable field changed: a Revision's spec cannot change", reason: "FieldValueForbidden" });
      }
      break;
    case "domainmappings.serving.knative.dev": {
      const dm = obj as DomainMapping;
      if (!DNS1123_SUBDOMAIN.test(name) || name.length > 253) errors.push(invalid("metadata.name", name, "must be a valid DNS-1123 subdomain (a host name)"));
      const ref = dm.spec?.ref;
      if (!ref) errors.push(required("spec.ref"));
      else {
        if (!ref.name) errors.push(required("spec.ref.name"));
        if (!["Service", "Route"].includes(ref.kind)) errors.push(invalid("spec.ref.kind", ref.kind, "must be a Knative Service or Route"));
        if (ref.apiVersion && ref.apiVersion !== "serving.knative.dev/v1") errors.push(invalid("spec.ref.apiVersion", ref.apiVersion, "must be serving.knative.dev/v1"));
        if (ref.namespace && ref.namespace !== obj.metadata.namespace) errors.push(invalid("spec.ref.namespace", ref.namespace, `must equal the DomainMapping's namespace "${obj.metadata.namespace}"`));
      }
      break;
    }
    case "clusterdomainclaims.networking.internal.knative.dev": {
      const cdc = obj as ClusterDomainClaim;
      if (!DNS1123_SUBDOMAIN.test(name)) errors.push(invalid("metadata.name", name, "must be a valid DNS-1123 subdomain (a host name)"));
      if (!cdc.spec?.namespace) errors.push(required("spec.namespace"));
      if (old && JSON.stringify(old.spec) !== JSON.stringify(obj.spec)) errors.push({ field: "spec", message: "Immutable field changed", reason: "FieldValueForbidden" });
      break;
    }
    case "configmaps":
      if (!DNS1123_SUBDOMAIN.test(name)) errors.push(invalid("metadata.name", name, "must be a valid DNS-1123 subdomain"));
      if (obj.metadata.namespace === "knative-serving") {
        for (const message of validateServingConfigMap(obj as never)) errors.push({ field: "data", message, reason: "FieldValueInvalid" });
      }
      break;
    case "brokers.eventing.knative.dev":
      if (!DNS1123_SUBDOMAIN.test(name)) errors.push(invalid("metadata.name", name, "must be a valid DNS-1123 subdomain"));
      errors.push(...validateBroker(obj));
      break;
    case "triggers.eventing.knative.dev":
      if (!DNS1123_SUBDOMAIN.test(name)) errors.push(invalid("metadata.name", name, "must be a valid DNS-1123 subdomain"));
      errors.push(...validateTrigger(obj, old));
      break;
    case "channels.messaging.knative.dev":
    case "inmemorychannels.messaging.knative.dev":
      errors.push(...dns1035("metadata.name", name), ...validateChannel(obj));
      break;
    case "subscriptions.messaging.knative.dev":
      if (!DNS1123_SUBDOMAIN.test(name)) errors.push(invalid("metadata.name", name, "must be a valid DNS-1123 subdomain"));
      errors.push(...validateSubscription(obj, old));
      break;
    case "sequences.flows.knative.dev":
      errors.push(...dns1035("metadata.name", name), ...validateSequence(obj));
      break;
    case "parallels.flows.knative.dev":
      errors.push(...dns1035("metadata.name", name), ...validateParallel(obj));
      break;
    case "pingsources.sources.knative.dev":
      errors.push(...dns1035("metadata.name", name), ...validatePingSource(obj));
      break;
    case "sinkbindings.sources.knative.dev":
      errors.push(...dns1035("metadata.name", name), ...validateSinkBinding(obj));
      break;
    case "containersources.sources.knative.dev":
      errors.push(...dns1035("metadata.name", name), ...validateContainerSource(obj));
      break;
    case "apiserversources.sources.knative.dev":
      errors.push(...dns1035("metadata.name", name), ...validateApiServerSource(obj));
      break;
    case "namespaces":
      if (!DNS1123_LABEL.test(name) || name.length > 63) errors.push(invalid("metadata.name", name, "must be a DNS-1123 label"));
      break;
  }
  return errors;
}

export interface ReferenceLookup {
  revisionExists(namespace: string, name: string): boolean;
  configurationExists(namespace: string, name: string): boolean;
}

/** Traffic naming a Revision or Configuration that does not exist is refused (the Service's own template name aside). */
export function validateReferences(key: StoreKey, obj: KObject, lookup: ReferenceLookup): FieldError[] {
  if (key !== "services.serving.knative.dev" && key !== "routes.serving.knative.dev") return [];
  const ns = obj.metadata.namespace ?? "default";
  const spec = obj.spec as ServiceSpec | undefined;
  const own = key === "services.serving.knative.dev" ? spec?.template?.metadata?.name : undefined;
  const errors: FieldError[] = [];
  (spec?.traffic ?? []).forEach((t: TrafficTarget, i) => {
    if (t.revisionName && t.revisionName !== own && !lookup.revisionExists(ns, t.revisionName)) {
      errors.push({ field: `spec.traffic[${i}].revisionName`, message: `Not found: revision "${t.revisionName}" does not exist in namespace "${ns}"`, reason: "FieldValueNotFound" });
    }
    if (t.configurationName && !lookup.configurationExists(ns, t.configurationName)) {
      errors.push({ field: `spec.traffic[${i}].configurationName`, message: `Not found: configuration "${t.configurationName}" does not exist in namespace "${ns}"`, reason: "FieldValueNotFound" });
    }
  });
  return errors;
}
