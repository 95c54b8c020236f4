// Durable Object ids by name, computed once: idFromName hashes its input, and the hot paths (every
// request through an activator, every event into a log) would otherwise pay for it each time.

type Namespace = { idFromName(name: string): DurableObjectId };

const MAX_PER_NAMESPACE = 10_000;
const cache = new WeakMap<Namespace, Map<string, DurableObjectId>>();

export function objectId(ns: Namespace, name: string): DurableObjectId {
  let ids = cache.get(ns);
  if (!ids) cache.set(ns, (ids = new Map()));
  let id = ids.get(name);
  if (!id) {
    if (ids.size >= MAX_PER_NAMESPACE) ids.clear();
    id = ns.idFromName(name);
    ids.set(name, id);
  }
  return id;
}
