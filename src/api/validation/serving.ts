// Validation of Service, Configuration, Route and Revision specs: template, containers, traffic.

import type { KObject, RevisionSpec, RevisionTemplateSpec, TrafficTarget } from "../types.ts";
import type { ServingConfig } from "../config/serving-config.ts";
import type { FieldError } from "./field-error.ts";
import { DNS1035, dns1035, invalid, required } from "./field-error.ts";
import { validateAutoscalingAnnotations } from "./annotations.ts";

const RESERVED_PORTS = [8012, 8013, 8022, 9090, 9091];
const RESERVED_ENV = ["K_SERVICE", "K_CONFIGURATION", "K_REVISION"];

export function validateRevisionSpec(spec: RevisionSpec | undefined, base: string, config: ServingConfig): FieldError[] {
  if (!spec) return [required(base)];
  const errors: FieldError[] = [];
  const containers = spec.containers ?? [];
  if (containers.length === 0) errors.push(required(`${base}.containers`, "a container is required"));
  let withPorts = 0;
  containers.forEach((c, i) => {
    const at = `${base}.containers[${i}]`;
    if (!c.image) errors.push(required(`${at}.image`, "an image is required"));
    if (c.ports?.length) withPorts++;
    if ((c.ports?.length ?? 0) > 1) errors.push(invalid(`${at}.ports`, c.ports!.length, "more than one container port is set"));
    c.ports?.forEach((p, j) => {
      if (p.containerPort !== undefined && RESERVED_PORTS.includes(p.containerPort)) {
        errors.push(invalid(`${at}.ports[${j}].containerPort`, p.containerPort, "is a reserved port"));
      }
    });
    c.env?.forEach((e, j) => {
      if (!e.name) errors.push(required(`${at}.env[${j}].name`));
      else if (RESERVED_ENV.includes(e.name)) errors.push(invalid(`${at}.env[${j}].name`, e.name, "is a reserved environment variable"));
    });
  });
  if (containers.length > 1 && withPorts !== 1) errors.push(invalid(`${base}.containers`, containers.length, "exactly one container must specify a port when there are several"));
  const cc = spec.containerConcurrency;
  if (cc !== undefined && (!Number.isInteger(cc) || cc < 0 || cc > config.defaults.containerConcurrencyMaxLimit)) {
    errors.push(invalid(`${base}.containerConcurrency`, cc, `must be between 0 and ${config.defaults.containerConcurrencyMaxLimit}`));
  }
  const t = spec.timeoutSeconds;
  if (t !== undefined && (!Number.isInteger(t) || t < 0 || t > config.defaults.maxRevisionTimeoutSeconds)) {
    errors.push(invalid(`${base}.timeoutSeconds`, t, `must be between 0 and ${config.defaults.maxRevisionTimeoutSeconds}`));
  }
  return errors;
}

export function validateTemplate(t: RevisionTemplateSpec | undefined, parent: string, base: string, config: ServingConfig): FieldError[] {
  if (!t) return [required(base, "a revision template is required")];
  const errors: FieldError[] = [];
  const name = t.metadata?.name;
  if (name !== undefined) {
    errors.push(...dns1035(`${base}.metadata.name`, name));
    if (!name.startsWith(`${parent}-`)) errors.push(invalid(`${base}.metadata.name`, name, `must have prefix "${parent}-"`));
  }
  errors.push(...validateAutoscalingAnnotations(t.metadata?.annotations, `${base}.metadata.annotations`));
  const cls = t.metadata?.annotations?.["autoscaling.knative.dev/class"];
  if (cls === "hpa.autoscaling.knative.dev" && t.spec?.containers?.some((c) => c.image?.startsWith("worker://"))) {
    errors.push(invalid(`${base}.metadata.annotations[autoscaling.knative.dev/class]`, cls,
      "worker revisions scale with the KPA (kpa.autoscaling.knative.dev): the HPA class needs the CPU and memory metrics of pods"));
  }
  errors.push(...validateRevisionSpec(t.spec, `${base}.spec`, config));
  return errors;
}

export function validateTraffic(traffic: TrafficTarget[] | undefined, base: string, forService: boolean): FieldError[] {
  if (!traffic) return [];
  const errors: FieldError[] = [];
  const tags = new Set<string>();
  let sum = 0;
  traffic.forEach((t, i) => {
    const at = `${base}[${i}]`;
    const p = t.percent ?? 0;
    if (!Number.isInteger(p) || p < 0 || p > 100) errors.push(invalid(`${at}.percent`, p, "must be an integer between 0 and 100"));
    else sum += p;
    const chosen = [t.revisionName ? "revisionName" : "", t.configurationName ? "configurationName" : "", t.latestRevision === true ? "latestRevision" : ""].filter(Boolean);
    if (chosen.length > 1) errors.push({ field: at, message: `expected exactly one, got both: ${chosen.join(", ")}`, reason: "FieldValueInvalid" });
    if (chosen.length === 0 && !forService && t.latestRevision !== false) {
      errors.push({ field: at, message: "expected exactly one, got neither: revisionName, configurationName, latestRevision", reason: "FieldValueRequired" });
    }
    if (forService && t.configurationName) errors.push({ field: `${at}.configurationName`, message: "must not set the field(s)", reason: "FieldValueForbidden" });
    if (t.latestRevision === false && !t.revisionName) errors.push(required(`${at}.revisionName`, "latestRevision: false requires revisionName"));
    if (t.url) errors.push({ field: `${at}.url`, message: "must not set the field(s)", reason: "FieldValueForbidden" });
    if (t.tag !== undefined) {
      if (!DNS1035.test(t.tag) || t.tag.length > 63) errors.push(invalid(`${at}.tag`, t.tag, "must be a DNS-1035 label"));
      if (tags.has(t.tag)) errors.push({ field: `${at}.tag`, message: `Duplicate value: "${t.tag}"`, reason: "FieldValueDuplicate" });
      tags.add(t.tag);
    }
    if (t.revisionName !== undefined && !DNS1035.test(t.revisionName)) errors.push(invalid(`${at}.revisionName`, t.revisionName, "must be a DNS-1035 label"));
  });
  if (traffic.length > 0 && sum !== 100) errors.push(invalid(`${base}`, sum, "traffic targets sum to " + sum + ", want 100"));
  return errors;
}

export function validateVisibility(obj: KObject): FieldError[] {
  const v = obj.metadata.labels?.["networking.knative.dev/visibility"];
  if (v !== undefined && v !== "cluster-local") {
    return [invalid("metadata.labels[networking.knative.dev/visibility]", v, `the only supported value is "cluster-local"`)];
  }
  return [];
}
