// The contract between Knit and the Kubernetes bridge for pod revisions (any image but worker://).
// The bridge runs such a Revision as a Deployment and a Service in the cluster and reports back on the
// Revision in Knit, in one annotation: where the pods answer and how many are ready. Knit's revision
// reconciler, router and activator read it; the bridge writes it. JSON, so it stays one atomic field.

export const POD_REPORT_ANNOTATION = "knit.dev/pod-report";

export interface PodReport {
  /** Base URL of the revision's Service in the cluster (`http://10.96.0.12:8080`). */
  url?: string;
  /** Pods ready to serve, from the Deployment's status. */
  readyReplicas: number;
  /** The Deployment has had minimum availability (Knative's ResourcesAvailable). */
  ready: boolean;
  /** Why it is not (a Deployment condition's reason and message), when it failed. */
  reason?: string;
  message?: string;
}

/** The report on a Revision, or undefined when there is none or it does not parse. */
export function readPodReport(annotations: Record<string, string> | undefined): PodReport | undefined {
  const text = annotations?.[POD_REPORT_ANNOTATION];
  if (!text) return undefined;
  try {
    const v = JSON.parse(text) as Partial<PodReport>;
    if (typeof v !== "object" || v === null) return undefined;
    return {
      ...(typeof v.url === "string" && /^https?:\/\//.test(v.url) ? { url: v.url.replace(/\/+$/, "") } : {}),
      readyReplicas: Number.isInteger(v.readyReplicas) && v.readyReplicas! > 0 ? v.readyReplicas! : 0,
      ready: v.ready === true,
      ...(typeof v.reason === "string" && v.reason ? { reason: v.reason } : {}),
      ...(typeof v.message === "string" && v.message ? { message: v.message } : {}),
    };
  } catch {
    return undefined;
  }
}

export function writePodReport(report: PodReport): string {
  return JSON.stringify(report);
}
