// The Knative kinds the bridge mirrors from the cluster into Knit: what users apply (children such as
// Revisions are Knit's to make). Status flows back from Knit to the cluster objects.

export interface MirroredKind {
  group: string;
  version: string;
  plural: string;
  kind: string;
}

const k = (group: string, version: string, kind: string, plural = `${kind.toLowerCase()}s`): MirroredKind => ({ group, version, plural, kind });

export const MIRRORED_KINDS: MirroredKind[] = [
  k("serving.knative.dev", "v1", "Service"),
  k("serving.knative.dev", "v1", "Configuration"),
  k("serving.knative.dev", "v1", "Route"),
  k("serving.knative.dev", "v1beta1", "DomainMapping"),
  k("eventing.knative.dev", "v1", "Broker"),
  k("eventing.knative.dev", "v1", "Trigger"),
  k("messaging.knative.dev", "v1", "Channel"),
  k("messaging.knative.dev", "v1", "Subscription"),
  k("flows.knative.dev", "v1", "Sequence"),
  k("flows.knative.dev", "v1", "Parallel"),
  k("sources.knative.dev", "v1", "PingSource"),
  k("sources.knative.dev", "v1", "ContainerSource"),
  k("sources.knative.dev", "v1", "SinkBinding"),
  k("sources.knative.dev", "v1", "ApiServerSource"),
];
