import { describe, expect, it } from "vitest";
import { WireError, decodeAttempts, decodeOutcome, encodeAttempts, encodeOutcome } from "./wire.ts";
import type { Attempt } from "../attempt.ts";

const text: Attempt = { url: "http://127.0.0.1:9/sink", headers: { "ce-id": "1", "content-type": "text/plain" }, body: "hello", timeoutMs: 500, wantReply: true };
const bytes: Attempt = { url: "https://example.com/", headers: new Headers({ "ce-id": "2" }), body: new Uint8Array([0, 255, 10, 13]), timeoutMs: 60_000, wantReply: false };
const empty: Attempt = { url: "http://h/", headers: [["ce-id", "3"]], body: null, timeoutMs: 1, wantReply: false };

describe("dispatcher wire format", () => {
  it.each([
    ["a text body", text],
    ["a binary body (base64 on the wire)", bytes],
    ["no body, headers as pairs", empty],
  ])("an attempt with %s comes back as it went", (_name, a) => {
    const [decoded] = decodeAttempts(encodeAttempts([a], 41));
    expect(decoded.i).toBe(41);
    expect(decoded.attempt.url).toBe(a.url);
    expect(Object.fromEntries(new Headers(decoded.attempt.headers))).toEqual(Object.fromEntries(new Headers(a.headers)));
    expect(decoded.attempt.body).toEqual(a.body);
    expect(decoded.attempt.timeoutMs).toBe(a.timeoutMs);
    expect(decoded.attempt.wantReply).toBe(a.wantReply);
  });

  it("numbers a batch's attempts from the first number, one line each", () => {
    const wire = encodeAttempts([text, bytes, empty], 7);
    expect(wire.split("\n")).toHaveLength(3);
    expect(decodeAttempts(wire).map((d) => d.i)).toEqual([7, 8, 9]);
  });

  it.each([
    ["not JSON", "{", /line 1: not JSON/],
    ["no URL", JSON.stringify({ i: 0, h: [], t: 1 }), /line 1: an attempt needs i/],
    ["a URL that is not one", JSON.stringify({ i: 0, u: "nope", h: [], t: 1 }), /u is not a URL/],
    ["a scheme other than http(s)", JSON.stringify({ i: 0, u: "file:///etc/passwd", h: [], t: 1 }), /must be http or https/],
    ["a bad second line", `${encodeAttempts([text])}\n[]`, /line 2/],
  ])("refuses %s, naming the line", (_name, wire, message) => {
    expect(() => decodeAttempts(wire)).toThrow(WireError);
    expect(() => decodeAttempts(wire)).toThrow(message);
  });

  it.each([
    ["a success without reply", { status: 200, errorBody: "" }],
    ["a failure with its text", { status: 503, errorBody: "busy" }],
    ["a reply event", { status: 200, errorBody: "", reply: { id: "r", source: "/s", type: "t", specversion: "1.0", data: { a: 1 } } }],
  ])("an outcome, %s, comes back as it went", (_name, o) => {
    const line = encodeOutcome(3, o);
    expect(line.endsWith("\n")).toBe(true);
    expect(decodeOutcome(line.trim())).toEqual({ i: 3, outcome: o });
  });
});
