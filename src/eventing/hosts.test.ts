import { describe, expect, it } from "vitest";
import { pathOf } from "./hosts.ts";

describe("pathOf", () => {
  it.each([
    ["http://broker-ingress.knative-eventing.svc.cluster.local/default/orders", "/default/orders"],
    ["http://h/ns/b?x=1", "/ns/b"],
    ["http://h/ns/b#frag", "/ns/b"],
    ["http://h:8080/a%20b/c?q=/x", "/a%20b/c"],
    ["http://h", "/"],
    ["http://h/", "/"],
  ])("%s → %s, as URL.pathname", (url, path) => {
    expect(pathOf(url)).toBe(path);
    expect(pathOf(url)).toBe(new URL(url).pathname);
  });
});
