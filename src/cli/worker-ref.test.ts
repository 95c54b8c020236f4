import { describe, expect, it } from "vitest";
import { findLocalImages, parseWorkerRef, replaceImages, resolveLocalPath, scriptNameFor } from "./worker-ref.ts";

describe("parseWorkerRef", () => {
  it.each([
    ["worker://./hello.ts", { type: "local", path: "./hello.ts" }],
    ["worker://../shared/fn/index.ts", { type: "local", path: "../shared/fn/index.ts" }],
    ["worker:///abs/x.js", { type: "local", path: "/abs/x.js" }],
    ["worker://.", { type: "local", path: "." }],
    ["worker://hello@sha256:abc", { type: "pinned", name: "hello", digest: "sha256:abc" }],
    ["worker://hello:v2", { type: "tagged", name: "hello", tag: "v2" }],
    ["worker://hello", { type: "tagged", name: "hello", tag: "latest" }],
    ["gcr.io/knative-samples/helloworld-go", undefined],
    ["docker.io/library/nginx:1.27", undefined],
  ])("%s", (image, expected) => {
    expect(parseWorkerRef(image)).toEqual(expected);
  });
});

describe("resolveLocalPath", () => {
  it.each([
    ["./hello.ts", "/proj/examples", "/proj/examples/hello.ts"],
    ["../x/y.ts", "/proj/examples", "/proj/x/y.ts"],
    ["/abs/z.ts", "/proj/examples", "/abs/z.ts"],
  ])("%s from %s", (ref, dir, expected) => {
    expect(resolveLocalPath(ref, dir)).toBe(expected);
  });
});

describe("scriptNameFor", () => {
  it.each([
    ["/p/hello.ts", "hello"],
    ["/p/greeter/index.ts", "greeter"],
    ["/p/greeter/index.js", "greeter"],
    ["/p/My Worker.mjs", "my-worker"],
    ["/p/Fn_v2.ts", "fn_v2"],
    ["/p/__/index.ts", "worker"],
  ])("%s → %s", (path, name) => {
    expect(scriptNameFor(path)).toBe(name);
  });
});

describe("finding and replacing images", () => {
  const svc = {
    apiVersion: "serving.knative.dev/v1",
    kind: "Service",
    metadata: { name: "hello", annotations: { image: "worker://./not-an-image-field-in-map.ts" } },
    spec: {
      template: {
        spec: {
          initContainers: [{ image: "worker://./init.ts" }],
          containers: [{ image: "worker://./hello.ts" }, { image: "worker://hello@sha256:1" }, { image: "nginx" }],
        },
      },
    },
  };

  it("finds local references at any depth", () => {
    // An annotation map key named "image" is a string field too; like ko, any `image` string counts.
    expect(findLocalImages(svc)).toEqual(["worker://./not-an-image-field-in-map.ts", "worker://./init.ts", "worker://./hello.ts"]);
  });

  it("replaces without touching the input", () => {
    const out = replaceImages(svc, (i) => (i === "worker://./hello.ts" ? "worker://hello@sha256:ff" : undefined));
    expect(out.spec.template.spec.containers.map((c) => c.image)).toEqual(["worker://hello@sha256:ff", "worker://hello@sha256:1", "nginx"]);
    expect(svc.spec.template.spec.containers[0].image).toBe("worker://./hello.ts");
  });
});
