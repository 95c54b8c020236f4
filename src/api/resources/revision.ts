// Revisions stamped out of a Configuration's template: Knative's names, labels and owner reference.

import type { Configuration, Revision } from "../types.ts";
import { API_VERSION } from "../kinds.ts";
import {
  CONFIGURATION_GENERATION_LABEL, CONFIGURATION_LABEL, CONFIGURATION_UID_LABEL, CREATOR_ANNOTATION,
  LAST_MODIFIER_ANNOTATION, SERVICE_LABEL, SERVICE_UID_LABEL,
} from "./labels.ts";
import { clone, controllerRef } from "./owner.ts";

const MAX_NAME = 63;

/** `{configuration}-{generation padded to 5 digits}`, kept within 63 characters like Knative's ChildName. */
export function revisionName(configurationName: string, generation: number): string {
  return childName(configurationName, `-${String(generation).padStart(5, "0")}`);
}

/** The name the Configuration's current generation produces: the template's name, or the generated one. */
export function revisionNameFor(configuration: Configuration, generation: number): string {
  return configuration.spec?.template?.metadata?.name || revisionName(configuration.metadata.name!, generation);
}

export function makeRevision(configuration: Configuration, name: string, generation: number): Revision {
  const template = configuration.spec?.template ?? { spec: { containers: [] } };
  const configLabels = configuration.metadata.labels ?? {};
  const labels: Record<string, string> = {
    ...template.metadata?.labels,
    [CONFIGURATION_LABEL]: configuration.metadata.name!,
    [CONFIGURATION_GENERATION_LABEL]: String(generation),
  };
  if (configuration.metadata.uid) labels[CONFIGURATION_UID_LABEL] = configuration.metadata.uid;
  if (configLabels[SERVICE_LABEL]) labels[SERVICE_LABEL] = configLabels[SERVICE_LABEL];
  if (configLabels[SERVICE_UID_LABEL]) labels[SERVICE_UID_LABEL] = configLabels[SERVICE_UID_LABEL];

  const annotations: Record<string, string> = { ...template.metadata?.annotations };
  const modifier = configuration.metadata.annotations?.[LAST_MODIFIER_ANNOTATION];
  if (modifier) annotations[CREATOR_ANNOTATION] = modifier;

  return {
    apiVersion: API_VERSION.revision,
    kind: "Revision",
    metadata: {
      name,
      namespace: configuration.metadata.namespace,
      labels,
      annotations,
      ownerReferences: [controllerRef(configuration)],
    },
    spec: clone(template.spec),
  };
}

/** parent+suffix, or, when that is too long, a shortened parent with a hash keeping names distinct. */
function childName(parent: string, suffix: string): string {
  if (parent.length + suffix.length <= MAX_NAME) return parent + suffix;
  const hash = fnv1a(parent);
  const keep = MAX_NAME - suffix.length - hash.length;
  return parent.slice(0, keep).replace(/-+$/, "") + hash + suffix;
}

function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}
