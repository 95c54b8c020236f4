// Host header normalisation: case, a port suffix and a trailing dot do not matter.

export function normalizeHost(raw: string): string {
  let host = raw.trim().toLowerCase();
  if (host.startsWith("[")) {
    const end = host.indexOf("]");
    host = end > 0 ? host.slice(0, end + 1) : host;
  } else {
    const colon = host.lastIndexOf(":");
    if (colon >= 0 && host.indexOf(":") === colon) host = host.slice(0, colon);
  }
  // One trailing dot is the fully qualified form of the same name; "name.." is no name at all.
  if (host.endsWith(".") && !host.endsWith("..")) host = host.slice(0, -1);
  return host;
}
