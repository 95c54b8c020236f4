// Route: resolves traffic to Revisions and reports the URLs. Knit programs its ingress (the routing
// table) from status.traffic, so IngressReady follows AllTrafficAssigned; while a target is broken the
// previous status.traffic is kept and keeps serving, as Knative keeps the previous Ingress.

import type { Route, RouteStatus } from "../types.ts";
import type { Reconciler } from "./world.ts";
import { generationOf, getCondition, livingConditions, markFalse, markTrue, markUnknown, type Mark } from "./conditions.ts";
import { resolveTraffic } from "./route-traffic.ts";
import { clusterLocalHost, routeDomain, tagHost } from "../config/domain.ts";

const DEPENDENTS = ["AllTrafficAssigned", "IngressReady", "CertificateProvisioned"] as const;

export const reconcileRoute: Reconciler = (obj, world) => {
  const route = obj as Route;
  const previous = route.status ?? {};
  const name = route.metadata.name!;
  const ns = route.metadata.namespace!;
  const status: RouteStatus = { ...previous, observedGeneration: generationOf(route) };

  // Knative's first reconcile of a new generation says the ingress is not configured yet.
  const previousIngress = getCondition(route, "IngressReady");
  const staleIngress: Mark = previousIngress && previous.observedGeneration === generationOf(route)
    ? { status: previousIngress.status, reason: previousIngress.reason, message: previousIngress.message }
    : markUnknown("IngressNotConfigured", "Ingress has not yet been reconciled.");
  const marks: Record<string, Mark> = {
    CertificateProvisioned: markTrue("TLSNotEnabled", "external-domain-tls is not enabled"),
  };
  const finish = () => {
    status.conditions = livingConditions(previous.conditions, marks, DEPENDENTS, world.now);
    return { status };
  };

  try {
    status.url = `http://${routeDomain({ name, namespace: ns, labels: route.metadata.labels }, world.config).host}`;
    status.address = { url: `http://${clusterLocalHost(name, ns)}` };
    const resolved = resolveTraffic(route, world);
    if (resolved.problem) {
      const p = resolved.problem;
      marks.AllTrafficAssigned = p.failure ? markFalse(p.reason, p.message) : markUnknown(p.reason, p.message);
      marks.IngressReady = staleIngress;
      return finish();
    }
    status.traffic = resolved.targets.map((t) =>
      t.tag ? { ...t, url: `http://${tagHost(t.tag, name, ns, route.metadata.labels, world.config)}` } : t);
    marks.AllTrafficAssigned = markTrue();
    marks.IngressReady = markTrue();
  } catch (err) {
    // A domain-template or tag-template that cannot produce this route's hosts (Knative's ErrorConfig).
    marks.AllTrafficAssigned = markFalse("ErrorConfig", (err as Error).message);
    marks.IngressReady = staleIngress;
  }
  return finish();
};
