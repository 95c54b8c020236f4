// Pure output formatting: kubectl-like tables and describe text.
import { describe as group, expect, it } from "vitest";
import { requireKind } from "./kinds.ts";
import { age, fallbackTable, formatCell, formatColumns, renderTable, type Table } from "./get.ts";
import { describeObject } from "./describe.ts";

const table: Table = {
  kind: "Table",
  columnDefinitions: [
    { name: "Name", priority: 0 },
    { name: "URL", priority: 0 },
    { name: "LatestCreated", priority: 0 },
    { name: "Ready", priority: 0 },
    { name: "Reason", priority: 0 },
    { name: "Extra", priority: 1 },
  ],
  rows: [
    { cells: ["hello", "http://hello.default.example.com", "hello-00001", "True", null, "x"], object: { metadata: { namespace: "default" } } },
    { cells: ["a", "http://a.prod.example.com", "a-00002", "Unknown", "RevisionMissing", "y"], object: { metadata: { namespace: "prod" } } },
  ],
};

group("tables", () => {
  it("aligns columns like kubectl and hides priority>0 columns", () => {
    expect(renderTable(table)).toBe(
      [
        "NAME    URL                                LATESTCREATED   READY     REASON",
        "hello   http://hello.default.example.com   hello-00001     True",
        "a       http://a.prod.example.com          a-00002         Unknown   RevisionMissing",
      ].join("\n"),
    );
  });

  it("shows every column with wide, and NAMESPACE first across namespaces", () => {
    const out = renderTable(table, { wide: true, withNamespace: true }).split("\n");
    expect(out[0]).toMatch(/^NAMESPACE\s+NAME\s+URL\s+LATESTCREATED\s+READY\s+REASON\s+EXTRA$/);
    expect(out[2]).toMatch(/^prod\s+a\s/);
  });

  it.each([
    [null, ""],
    [undefined, ""],
    [3, "3"],
    [["a", "b"], "a,b"],
    [{ k: 1 }, '{"k":1}'],
  ])("cell %j → %j", (value, text) => {
    expect(formatCell(value)).toBe(text);
  });

  it("formats columns with three spaces of padding", () => {
    expect(formatColumns([["A", "BB"], ["ccc", "d"]])).toBe("A     BB\nccc   d");
  });

  it.each([
    [5, "5s"],
    [119, "119s"],
    [600, "10m"],
    [3 * 3600, "3h"],
    [5 * 86400, "5d"],
  ])("age of %is is %s", (seconds, text) => {
    const now = Date.parse("2026-01-02T00:00:00Z");
    expect(age(new Date(now - seconds * 1000).toISOString(), now)).toBe(text);
  });

  it("builds NAME/AGE when the server has no table", () => {
    const now = Date.parse("2026-01-02T00:00:00Z");
    const t = fallbackTable([{ metadata: { name: "x", creationTimestamp: "2026-01-01T23:59:00Z" } }], now);
    expect(renderTable(t)).toBe("NAME   AGE\nx      60s");
  });
});

group("describeObject", () => {
  it("prints identity, spec, status and a conditions table", () => {
    const text = describeObject(requireKind("ksvc"), {
      apiVersion: "serving.knative.dev/v1",
      kind: "Service",
      metadata: { name: "hello", namespace: "default", labels: { b: "2", a: "1" }, generation: 1, uid: "u" },
      spec: { template: { spec: { containers: [{ image: "worker://hello@sha256:ab" }] } } },
      status: {
        url: "http://hello.default.example.com",
        conditions: [
          { type: "Ready", status: "False", reason: "RevisionFailed", message: "boom", lastTransitionTime: "2026-01-01T00:00:00Z" },
          { type: "RoutesReady", status: "True" },
        ],
      },
    });
    expect(text).toContain("Name:         hello\nNamespace:    default\nLabels:       a=1\n              b=2\nAnnotations:  <none>");
    expect(text).toContain("Kind:         Service");
    expect(text).toContain("Spec:\n  template:");
    expect(text).toContain("Status:\n  url: http://hello.default.example.com");
    expect(text).toMatch(/Conditions:\n  Type +Status +LastTransitionTime +Reason +Message\n  Ready +False +2026-01-01T00:00:00Z +RevisionFailed +boom\n  RoutesReady +True/);
  });

  it("leaves Namespace out for cluster-scoped kinds", () => {
    expect(describeObject(requireKind("ns"), { metadata: { name: "x" } })).not.toContain("Namespace:");
  });
});
