import { describe, expect, it } from "vitest";
import type { KObject } from "../types.ts";
import type { StoreKey } from "./world.ts";
import { dependentsOf } from "./index.ts";
import { TestWorld, configMap, keyOf, ksvc } from "./testing.ts";

function settled(): TestWorld {
  const w = new TestWorld();
  w.apply(ksvc("hello"));
  w.apply({ apiVersion: "serving.knative.dev/v1beta1", kind: "DomainMapping", metadata: { name: "app.example.org", namespace: "default" },
    spec: { ref: { apiVersion: "serving.knative.dev/v1", kind: "Service", name: "hello" } } });
  w.settle();
  return w;
}

const names = (refs: { key: StoreKey; namespace?: string; name: string }[]) => refs.map((r) => `${r.key.split(".")[0]}/${r.name}`).sort();

describe("dependentsOf", () => {
  const w = settled();
  const get = (key: StoreKey, name: string) => w.get(key, "default", name)!;
  const cases: [string, KObject, string[]][] = [
    ["Revision → Configuration and Routes", get("revisions.serving.knative.dev", "hello-00001"), ["configurations/hello", "routes/hello"]],
    ["Configuration → Service and Route", get("configurations.serving.knative.dev", "hello"), ["routes/hello", "services/hello"]],
    ["Route → Service and DomainMappings", get("routes.serving.knative.dev", "hello"), ["domainmappings/app.example.org", "services/hello"]],
    ["Service → DomainMappings", get("services.serving.knative.dev", "hello"), ["domainmappings/app.example.org"]],
    ["serving ConfigMap → Routes and DomainMappings", configMap("config-domain", {}), ["domainmappings/app.example.org", "routes/hello"]],
    ["ClusterDomainClaim → DomainMappings", { apiVersion: "networking.internal.knative.dev/v1alpha1", kind: "ClusterDomainClaim", metadata: { name: "app.example.org" }, spec: { namespace: "default" } },
      ["domainmappings/app.example.org"]],
  ];
  it.each(cases)("%s", (_, obj, expected) => {
    expect(names(dependentsOf({ key: keyOf(obj), namespace: obj.metadata.namespace, name: obj.metadata.name!, obj }, w))).toEqual(expected);
  });
});
