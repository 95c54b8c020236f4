// serving.knative.dev/v1alpha1 → v1, for the older forms users still have (runLatest, release, pinned,
// revisionTemplate with a single `container`, Route traffic `name`). `build` is dropped: Knative Build is gone.

import type { Container, KObject, RevisionTemplateSpec, TrafficTarget, V1alpha1RevisionTemplate, V1alpha1ConfigurationSpec, V1alpha1ServiceSpec } from "../types.ts";

export interface ConversionError {
  field: string;
  message: string;
  reason?: string;
}

function template(t: V1alpha1RevisionTemplate | undefined, field: string, errors: ConversionError[]): RevisionTemplateSpec | undefined {
  if (!t) {
    errors.push({ field, message: "Required value: a revision template is required", reason: "FieldValueRequired" });
    return undefined;
  }
  const { container, ...spec } = t.spec ?? ({} as V1alpha1RevisionTemplate["spec"]);
  const containers: Container[] = spec.containers ?? (container ? [container] : []);
  return { ...(t.metadata ? { metadata: t.metadata } : {}), spec: { ...spec, containers } };
}

function configTemplate(c: V1alpha1ConfigurationSpec | undefined, field: string, errors: ConversionError[]) {
  if (c?.template) return template(c.template, `${field}.template`, errors);
  return template(c?.revisionTemplate, `${field}.revisionTemplate`, errors);
}

function traffic(targets: (TrafficTarget & { name?: string })[] | undefined): TrafficTarget[] | undefined {
  return targets?.map(({ name, ...t }) => (name && !t.tag ? { ...t, tag: name } : t));
}

export function convertToV1(kind: string, obj: KObject): { object: KObject } | { errors: ConversionError[] } {
  const errors: ConversionError[] = [];
  const spec = (obj.spec ?? {}) as V1alpha1ServiceSpec & V1alpha1ConfigurationSpec & { traffic?: (TrafficTarget & { name?: string })[] };
  let out: Record<string, unknown> = {};
  if (kind === "Service") {
    if (spec.runLatest) {
      out = { template: configTemplate(spec.runLatest.configuration, "spec.runLatest.configuration", errors) };
    } else if (spec.pinned) {
      out = {
        template: configTemplate(spec.pinned.configuration, "spec.pinned.configuration", errors),
        traffic: [{ revisionName: spec.pinned.revisionName, percent: 100 }],
      };
    } else if (spec.release) {
      const revisions = spec.release.revisions ?? [];
      const rollout = spec.release.rolloutPercent ?? 0;
      if (revisions.length < 1 || revisions.length > 2) {
        errors.push({ field: "spec.release.revisions", message: "Invalid value: must list one or two revisions" });
      }
      if (!Number.isInteger(rollout) || rollout < 0 || rollout > 99) {
        errors.push({ field: "spec.release.rolloutPercent", message: `Invalid value: ${rollout}: must be between 0 and 99` });
      }
      const target = (name: string, tag: string, percent: number): TrafficTarget =>
        name === "@latest" ? { tag, latestRevision: true, percent } : { tag, revisionName: name, percent };
      const t: TrafficTarget[] = [target(revisions[0], "current", revisions.length === 2 ? 100 - rollout : 100)];
      if (revisions.length === 2) t.push(target(revisions[1], "candidate", rollout));
      t.push({ tag: "latest", latestRevision: true, percent: 0 });
      out = { template: configTemplate(spec.release.configuration, "spec.release.configuration", errors), traffic: t };
    } else if (spec.manual) {
      errors.push({ field: "spec.manual", message: "manual mode is not supported: use spec.template and spec.traffic (serving.knative.dev/v1)" });
    } else {
      out = { template: template(spec.template, "spec.template", errors), ...(spec.traffic ? { traffic: traffic(spec.traffic) } : {}) };
    }
  } else if (kind === "Configuration") {
    out = { template: spec.template ? template(spec.template, "spec.template", errors) : template(spec.revisionTemplate, "spec.revisionTemplate", errors) };
  } else if (kind === "Route") {
    out = { traffic: traffic(spec.traffic) };
  } else {
    return { object: obj };
  }
  if (errors.length) return { errors };
  return { object: { ...obj, apiVersion: "serving.knative.dev/v1", spec: out } };
}
