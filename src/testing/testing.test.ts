// knit/testing used the way a user's own test would: Miniflare, inline YAML, fetch by host.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKnit, type KnitTestPlatform } from "./index.ts";

const service = (greeting: string) => `apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: greeter
spec:
  template:
    spec:
      containers:
        - image: worker://./fixture/greeter.ts
          env:
            - name: GREETING
              value: ${greeting}
`;

describe("knit/testing", () => {
  let knit: KnitTestPlatform;
  beforeAll(async () => {
    knit = await startKnit({ cwd: import.meta.dirname });
  }, 60_000);
  afterAll(() => knit?.dispose());

  it("applies a Service with a local worker module, waits for Ready, and serves it by host", async () => {
    await knit.apply(service("Hello"));
    const ksvc = await knit.waitForReady("ksvc", "greeter");
    expect(ksvc.status.url).toBe("http://greeter.default.example.com");
    const res = await knit.fetch("greeter.default.example.com");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("Hello from greeter-00001");
  });

  it("a changed Service becomes a new Revision that takes the traffic", async () => {
    await knit.apply(service("Bonjour"));
    const ksvc = await knit.waitForReady("ksvc", "greeter");
    expect(ksvc.status.latestReadyRevisionName).toBe("greeter-00002");
    expect(await (await knit.fetch("greeter.default.example.com")).text()).toBe("Bonjour from greeter-00002");
  });

  it("apply reports the server's validation error", async () => {
    await expect(knit.apply(service("x").replace("name: greeter", "name: Bad_Name"))).rejects.toThrow(/metadata\.name/);
  });
});
