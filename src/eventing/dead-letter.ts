// What Knative's dispatcher does when a delivery fails: which statuses it retries, and the extensions
// it adds to an event it sends to the dead-letter sink.

/** Knative retries network errors, 404, 408, 409, 429 and 5xx; other failures go straight to the dead-letter sink. */
export function isRetryable(status: number): boolean {
  return status === 0 || status === 404 || status === 408 || status === 409 || status === 429 || status >= 500;
}

/** Knative keeps at most this much of the failed response body. */
const MAX_ERROR_DATA = 1024;

export function deadLetterExtensions(failure: { destination: string; code: number; data: string }): Record<string, string> {
  const bytes = new TextEncoder().encode(failure.data).slice(0, MAX_ERROR_DATA);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  const out: Record<string, string> = { knativeerrordest: failure.destination, knativeerrorcode: String(failure.code) };
  if (bytes.length > 0) out.knativeerrordata = btoa(bin);
  return out;
}
