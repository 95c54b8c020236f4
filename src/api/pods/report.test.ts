import { describe, expect, it } from "vitest";
import { POD_REPORT_ANNOTATION, readPodReport, writePodReport } from "./report.ts";

describe("readPodReport", () => {
  const cases: [string, Record<string, string> | undefined, ReturnType<typeof readPodReport>][] = [
    ["no annotations", undefined, undefined],
    ["no report", { other: "x" }, undefined],
    ["not JSON", { [POD_REPORT_ANNOTATION]: "{" }, undefined],
    ["a full report (trailing slash dropped)", { [POD_REPORT_ANNOTATION]: '{"url":"http://10.0.0.1:8080/","readyReplicas":2,"ready":true}' }, { url: "http://10.0.0.1:8080", readyReplicas: 2, ready: true }],
    ["a failure", { [POD_REPORT_ANNOTATION]: '{"readyReplicas":0,"ready":false,"reason":"ProgressDeadlineExceeded","message":"m"}' }, { readyReplicas: 0, ready: false, reason: "ProgressDeadlineExceeded", message: "m" }],
    ["nonsense fields are dropped", { [POD_REPORT_ANNOTATION]: '{"url":"file:///etc/passwd","readyReplicas":-3,"ready":"yes"}' }, { readyReplicas: 0, ready: false }],
  ];
  for (const [name, annotations, expected] of cases) it(name, () => expect(readPodReport(annotations)).toEqual(expected));

  it("reads what writePodReport wrote", () => {
    const report = { url: "http://10.0.0.2:9000", readyReplicas: 1, ready: true };
    expect(readPodReport({ [POD_REPORT_ANNOTATION]: writePodReport(report) })).toEqual(report);
  });
});
