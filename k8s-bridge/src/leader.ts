// Leader election on a coordination.k8s.io/v1 Lease, so that of several bridge replicas only one writes.
// The decision is a pure function of the Lease as read; the elector only reads, decides and writes.

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

/** Whether `identity` may hold the lease now, and the spec to write if so. */
export function decideLease(current: LeaseSpec | undefined, identity: string, now: Date, durationSeconds: number): { lead: boolean; spec?: LeaseSpec } {
  const nowText = now.toISOString();
  if (!current?.holderIdentity) {
    return { lead: true, spec: { holderIdentity: identity, leaseDurationSeconds: durationSeconds, acquireTime: nowText, renewTime: nowText, leaseTransitions: (current?.leaseTransitions ?? 0) + (current ? 1 : 0) } };
  }
  if (current.holderIdentity === identity) {
    return { lead: true, spec: { ...current, leaseDurationSeconds: durationSeconds, renewTime: nowText } };
  }
  const renewed = Date.parse(current.renewTime ?? current.acquireTime ?? "");
  const expired = !Number.isFinite(renewed) || now.getTime() - renewed > (current.leaseDurationSeconds ?? durationSeconds) * 1000;
  if (!expired) return { lead: false };
  return { lead: true, spec: { holderIdentity: identity, leaseDurationSeconds: durationSeconds, acquireTime: nowText, renewTime: nowText, leaseTransitions: (current.leaseTransitions ?? 0) + 1 } };
}
