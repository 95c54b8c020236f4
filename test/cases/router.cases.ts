// Router behaviour, written once and run twice: in the runtime (src/router/ingress.runtime.test.ts, the
// pure reconcilers + router inside workerd) and end to end (test/e2e/router.test.ts, real workerd + kubectl).

export interface Expectation {
  host: string;
  path?: string;
  status: number;
  /** Exact body, or a substring when `includes` is set. */
  body?: string;
  includes?: string;
}

export interface SplitExpectation {
  host: string;
  requests: number;
  /** Expected share (0..1) of each body; each must land within `tolerance`. */
  shares: Record<string, number>;
  tolerance: number;
}

export interface RouterCase {
  name: string;
  /** Worker scripts by name, pushed as `worker://NAME` (tag latest). Plain JavaScript modules. */
  scripts: Record<string, string>;
  /** Knative YAML, applied in order. Namespaces: each case uses its own, so cases do not meet. */
  yaml: string;
  expect: Expectation[];
  split?: SplitExpectation;
}

const echo = `export default { async fetch(request, env) {
  const url = new URL(request.url);
  if (url.pathname === "/env") return Response.json({ target: env.TARGET ?? null, service: env.K_SERVICE, configuration: env.K_CONFIGURATION, revision: env.K_REVISION });
  return new Response("Hello " + (env.TARGET ?? "World") + "!");
} };`;

const sleeper = `export default { async fetch() { await new Promise((r) => setTimeout(r, 3000)); return new Response("late"); } };`;
const thrower = `export default { fetch() { throw new Error("handler exploded"); } };`;

function svc(ns: string, name: string, target: string, extra = "", revision?: string): string {
  return `apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  template:
${revision ? `    metadata:\n      name: ${revision}\n` : ""}    spec:
      containers:
        - image: worker://echo
          env:
            - name: TARGET
              value: "${target}"
${extra}`;
}

export const routerCases: RouterCase[] = [
  {
    name: "a Service answers on {name}.{namespace}.{domain}, with env and K_* variables",
    scripts: { echo },
    yaml: svc("rc-basic", "alpha", "Alpha"),
    expect: [
      { host: "alpha.rc-basic.example.com", status: 200, body: "Hello Alpha!" },
      { host: "alpha.rc-basic.example.com", path: "/env", status: 200, body: JSON.stringify({ target: "Alpha", service: "alpha", configuration: "alpha", revision: "alpha-00001" }) },
      { host: "alpha.rc-basic.svc.cluster.local", status: 200, body: "Hello Alpha!" },
    ],
  },
  {
    name: "host matching ignores case, a port suffix and a trailing dot; an unknown host is a 404 naming it",
    scripts: { echo },
    yaml: svc("rc-host", "beta", "Beta"),
    expect: [
      { host: "BETA.Rc-Host.Example.COM", status: 200, body: "Hello Beta!" },
      { host: "beta.rc-host.example.com:8080", status: 200, body: "Hello Beta!" },
      { host: "beta.rc-host.example.com.", status: 200, body: "Hello Beta!" },
      { host: "gamma.rc-host.example.com", status: 404, includes: "gamma.rc-host.example.com" },
    ],
  },
  {
    name: "a 30/70 split with tags: the main host splits, each tag host reaches only its revision",
    scripts: { echo },
    yaml: `${svc("rc-split", "shop", "one", "", "shop-one")}---
${svc("rc-split", "shop", "two", `  traffic:
    - tag: stable
      revisionName: shop-one
      percent: 30
    - tag: canary
      revisionName: shop-two
      percent: 70
    - tag: newest
      latestRevision: true
      percent: 0
`, "shop-two")}`,
    expect: [
      { host: "stable-shop.rc-split.example.com", status: 200, body: "Hello one!" },
      { host: "canary-shop.rc-split.example.com", status: 200, body: "Hello two!" },
      { host: "newest-shop.rc-split.example.com", status: 200, body: "Hello two!" },
    ],
    split: { host: "shop.rc-split.example.com", requests: 1000, shares: { "Hello one!": 0.3, "Hello two!": 0.7 }, tolerance: 0.05 },
  },
  {
    name: "cluster-local visibility keeps a route off the external domain",
    scripts: { echo },
    yaml: svc("rc-local", "inside", "Inside").replace("  namespace: rc-local\n", "  namespace: rc-local\n  labels:\n    networking.knative.dev/visibility: cluster-local\n"),
    expect: [
      { host: "inside.rc-local.example.com", status: 404, includes: "inside.rc-local.example.com" },
      { host: "inside.rc-local.svc.cluster.local", status: 200, body: "Hello Inside!" },
    ],
  },
  {
    name: "timeoutSeconds gives a 504; a throwing handler gives a 502",
    scripts: { echo, sleeper, thrower },
    yaml: `${svc("rc-fail", "sleepy", "x", "").replace("worker://echo", "worker://sleeper").replace("    spec:\n", "    spec:\n      timeoutSeconds: 1\n")}---
${svc("rc-fail", "angry", "x").replace("worker://echo", "worker://thrower")}`,
    expect: [
      { host: "sleepy.rc-fail.example.com", status: 504, includes: "sleepy-00001" },
      { host: "angry.rc-fail.example.com", status: 502, includes: "handler exploded" },
    ],
  },
];
