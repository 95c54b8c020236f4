// The URLs Knit's eventing objects are addressed at (Knative's own): the shared broker ingress, and one
// host per channel, `{name}-kn-channel.{namespace}.svc.cluster.local`.

export const BROKER_INGRESS_HOST = "broker-ingress.knative-eventing.svc.cluster.local";
export const CHANNEL_HOST = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)-kn-channel\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc\.cluster\.local$/;

export function brokerUrl(namespace: string, name: string): string {
  return `http://${BROKER_INGRESS_HOST}/${namespace}/${name}`;
}

export function channelUrl(namespace: string, name: string): string {
  return `http://${name}-kn-channel.${namespace}.svc.cluster.local`;
}
