import { describe, expect, it } from "vitest";
import { freePort, freePorts } from "./state.ts";

describe("free ports", () => {
  it("never answers a port it was told to avoid", async () => {
    const first = await freePort();
    for (let i = 0; i < 20; i++) expect(await freePort(undefined, [first])).not.toBe(first);
  });

  it("gives distinct ports", async () => {
    for (let i = 0; i < 10; i++) {
      const ports = await freePorts(3);
      expect(ports).toHaveLength(3);
      expect(new Set(ports).size).toBe(3);
    }
  });
});
