import { describe, expect, it } from "vitest";
import { decideLease, type LeaseSpec } from "./leader.ts";

const now = new Date("2026-11-24T12:00:10Z");
const at = (s: number) => new Date(now.getTime() + s * 1000).toISOString();

describe("decideLease", () => {
  const cases: { name: string; current: LeaseSpec | undefined; lead: boolean; holder?: string; transitions?: number }[] = [
    { name: "no Lease yet: take it", current: undefined, lead: true, holder: "me", transitions: 0 },
    { name: "a released Lease (no holder): take it, counting a transition", current: { leaseTransitions: 2 }, lead: true, holder: "me", transitions: 3 },
    { name: "held by me: renew", current: { holderIdentity: "me", renewTime: at(-5), leaseDurationSeconds: 15, leaseTransitions: 1 }, lead: true, holder: "me", transitions: 1 },
    { name: "held by another, renewed recently: stand by", current: { holderIdentity: "other", renewTime: at(-5), leaseDurationSeconds: 15 }, lead: false },
    { name: "held by another, expired: take over", current: { holderIdentity: "other", renewTime: at(-16), leaseDurationSeconds: 15, leaseTransitions: 4 }, lead: true, holder: "me", transitions: 5 },
    { name: "held by another with its own duration: its duration counts", current: { holderIdentity: "other", renewTime: at(-20), leaseDurationSeconds: 30 }, lead: false },
    { name: "held by another, no times at all: take over", current: { holderIdentity: "other" }, lead: true, holder: "me", transitions: 1 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = decideLease(c.current, "me", now, 15);
      expect(d.lead).toBe(c.lead);
      if (!c.lead) return expect(d.spec).toBeUndefined();
      expect(d.spec?.holderIdentity).toBe(c.holder);
      expect(d.spec?.leaseTransitions).toBe(c.transitions);
      expect(d.spec?.renewTime).toBe(now.toISOString());
      expect(d.spec?.leaseDurationSeconds).toBe(15);
    });
  }
});
