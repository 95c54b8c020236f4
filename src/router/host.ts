// Host header normalisation: case, a port suffix and a trailing dot do not matter.

/**
 * Whether a Host header's port, when it has one, is a port: workerd builds the request's URL from the
 * Host, and a URL with port 99999 or "abc" makes every `new URL(request.url)` downstream throw.
 */
export function hostPortValid(raw: string): boolean {
  const close = raw.lastIndexOf("]");
  const colon = raw.lastIndexOf(":");
  if (colon < 0 || colon < close) return true;
  if (close < 0 && raw.indexOf(":") !== colon) return true; // a bare IPv6 address, no port
  const port = raw.slice(colon + 1);
  return port === "" || (/^\d{1,5}$/.test(port) && Number(port) <= 65535);
}

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
