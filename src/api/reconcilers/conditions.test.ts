import { describe, expect, it } from "vitest";
import { livingConditions, markFalse, markTrue, markUnknown, readyFrom, setCondition, type Mark } from "./conditions.ts";

describe("readyFrom", () => {
  const cases: [string, Mark[], Mark][] = [
    ["all true", [markTrue(), markTrue("TLSNotEnabled", "x")], markTrue()],
    ["unknown", [markTrue(), markUnknown("Deploying")], markUnknown("Deploying")],
    ["false trumps unknown", [markUnknown("A"), markFalse("B", "bad")], markFalse("B", "bad")],
  ];
  it.each(cases)("%s", (_, marks, ready) => {
    expect(readyFrom(marks)).toEqual(ready);
  });
});

describe("setCondition", () => {
  it("keeps lastTransitionTime while the status is unchanged, even if the reason moves", () => {
    const first = setCondition(undefined, "Ready", markUnknown("A"), "t1");
    const second = setCondition(first, "Ready", markUnknown("B", "m"), "t2");
    expect(second).toEqual([{ type: "Ready", status: "Unknown", reason: "B", message: "m", lastTransitionTime: "t1" }]);
    expect(setCondition(second, "Ready", markTrue(), "t3")).toEqual([{ type: "Ready", status: "True", lastTransitionTime: "t3" }]);
  });

  it("livingConditions sorts by type and derives Ready", () => {
    const conditions = livingConditions(undefined, { B: markTrue(), A: markFalse("X", "y") }, ["A", "B"], "t");
    expect(conditions.map((c) => `${c.type}=${c.status}`)).toEqual(["A=False", "B=True", "Ready=False"]);
  });
});
