import { describe, expect, it } from "vitest";
import { hostPortValid, normalizeHost } from "./host.ts";

describe("normalizeHost", () => {
  const cases: [string, string][] = [
    ["Hello.Default.Example.COM", "hello.default.example.com"],
    ["hello.default.example.com:8080", "hello.default.example.com"],
    ["hello.default.example.com.", "hello.default.example.com"],
    ["hello.default.example.com.:80", "hello.default.example.com"],
    ["hello.default.example.com..", "hello.default.example.com.."],
    ["[::1]:8080", "[::1]"],
  ];
  for (const [raw, expected] of cases) it(`${raw} → ${expected}`, () => expect(normalizeHost(raw)).toBe(expected));
});

describe("hostPortValid", () => {
  const cases: [string, boolean][] = [
    ["hello.default.example.com", true],
    ["hello.default.example.com:8080", true],
    ["hello.default.example.com:", true],
    ["[::1]:443", true],
    ["[::1]", true],
    ["hello.default.example.com:99999", false],
    ["hello.default.example.com:abc", false],
    ["hello.default.example.com:-1", false],
    ["[::1]:70000", false],
  ];
  for (const [raw, expected] of cases) it(`${raw} → ${expected}`, () => expect(hostPortValid(raw)).toBe(expected));
});
