// Sources' runtime configurations as pure functions of the source objects: a source runs once its sink
// has resolved.

import type { PingSource } from "../types.ts";
import type { PingConfig } from "../../eventing/sources/ping.ts";

export function pingConfigs(sources: PingSource[]): PingConfig[] {
  return sources.filter((s) => s.status?.sinkUri && s.spec?.schedule).map((s) => {
    const spec = s.spec!;
    return {
      namespace: s.metadata.namespace!,
      name: s.metadata.name!,
      schedule: spec.schedule!,
      ...(spec.timezone ? { timezone: spec.timezone } : {}),
      ...(spec.contentType ? { contentType: spec.contentType } : {}),
      ...(spec.data !== undefined ? { data: spec.data } : {}),
      ...(spec.dataBase64 !== undefined ? { dataBase64: spec.dataBase64 } : {}),
      sinkUri: s.status!.sinkUri!,
      ...(spec.ceOverrides?.extensions ? { extensions: spec.ceOverrides.extensions } : {}),
    };
  });
}
