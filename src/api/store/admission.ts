// Admission: what Knative's webhooks do before an object is stored — convert, default, validate.

import type { KObject } from "../types.ts";
import type { KindInfo } from "../kinds.ts";
import { apiVersionOf, storageKindOf, storageKey } from "../kinds.ts";
import type { ServingConfig } from "../config/serving-config.ts";
import type { StoreKey } from "../reconcilers/world.ts";
import { InvalidError } from "../errors.ts";
import { convertToV1 } from "../convert/index.ts";
import { setDefaults } from "../defaults/index.ts";
import { validateObject, validateReferences } from "../validation/index.ts";

export interface AdmissionContext {
  /**
   * Cluster mode: a kube-apiserver without Knative's webhooks stores custom resources as sent (their
   * CRDs preserve unknown fields); Knit checks them when the bridge mirrors them.
   */
  plain?: boolean;
  config: ServingConfig;
  revisionExists(namespace: string, name: string): boolean;
  configurationExists(namespace: string, name: string): boolean;
}

/** Returns the object in its storage form, or throws InvalidError naming the fields. */
export function admit(kind: KindInfo, obj: KObject, old: KObject | undefined, ctx: AdmissionContext, userWrite: boolean): KObject {
  const stored = storageKindOf(kind);
  const key = storageKey(stored) as StoreKey;
  let object = obj;
  const name = obj.metadata?.name ?? "";
  if (ctx.plain) return { ...object, apiVersion: apiVersionOf(kind), kind: kind.kind };
  if (kind !== stored) {
    const converted = convertToV1(kind.kind, obj);
    if ("errors" in converted) throw new InvalidError(kind.kind, kind.group, name, converted.errors);
    object = converted.object;
  }
  object = { ...object, apiVersion: apiVersionOf(stored), kind: stored.kind };
  object = setDefaults(key, object, ctx.config);
  const errors = validateObject(key, object, old, ctx.config);
  if (userWrite && errors.length === 0) {
    errors.push(...validateReferences(key, object, {
      revisionExists: ctx.revisionExists,
      configurationExists: ctx.configurationExists,
    }));
  }
  if (errors.length > 0) throw new InvalidError(stored.kind, stored.group, name, errors);
  return object;
}
