// Pod revisions: the request goes to the revision's Service in the cluster (the Kubernetes bridge
// reports its address), with its path, query, method, headers and body, as Knative's activator sends it on.

import type { RevisionTarget } from "./table.ts";

/** The request as the pod Service should get it; undefined when the bridge has not reported an address. */
export function podRequest(target: RevisionTarget, request: Request): Request | undefined {
  if (!target.pod) return undefined;
  const url = new URL(request.url);
  const headers = new Headers(request.headers);
  // The subrequest's Host is the Service's address; the pod still learns which host was asked for.
  headers.set("x-forwarded-host", url.host);
  headers.set("x-forwarded-proto", url.protocol.replace(":", ""));
  return new Request(`${target.pod.url}${url.pathname}${url.search}`, {
    method: request.method,
    headers,
    body: request.body,
    redirect: "manual",
  });
}

/** Sends a request to a pod revision's Service (through the platform's network, which reaches cluster addresses). */
export function callPod(target: RevisionTarget, request: Request): Promise<Response> {
  const forwarded = podRequest(target, request);
  if (!forwarded) return Promise.resolve(new Response(`revision "${target.name}" has no pods reported by the Kubernetes bridge yet\n`, { status: 503, headers: { "retry-after": "1" } }));
  return fetch(forwarded);
}
