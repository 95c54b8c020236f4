// A same-isolate signal from the Store to the ingress: in workerd the Store Durable Object runs in the
// ingress's isolate, so a bumped number here makes the next request refresh its routing table at once.
// Where they are separate (Cloudflare), the hint stays 0 and the ingress's TTL applies.

let hint = 0;

export function publishRoutingVersion(version: number): void {
  if (version > hint) hint = version;
}

export function routingVersionHint(): number {
  return hint;
}
