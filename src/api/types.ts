// Knative and Kubernetes object types, with the field names Knative and Kubernetes use.
// Every module that touches an API object imports its shape from here.

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: unknown[];
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** Any object the API stores. */
export interface KObject<Spec = unknown, Status = unknown> {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: Spec;
  status?: Status;
  [extra: string]: unknown;
}

export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  severity?: "" | "Warning" | "Info";
}

export interface Status {
  observedGeneration?: number;
  conditions?: Condition[];
  annotations?: Record<string, string>;
}

export interface Addressable {
  url?: string;
  name?: string;
}

// ---- serving.knative.dev/v1 ----

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: unknown;
}

export interface ContainerPort {
  name?: string;
  containerPort?: number;
  protocol?: string;
}

export interface Probe {
  httpGet?: { path?: string; port?: number; httpHeaders?: { name: string; value: string }[] };
  tcpSocket?: { port?: number };
  exec?: unknown;
  grpc?: unknown;
  initialDelaySeconds?: number;
  timeoutSeconds?: number;
  periodSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
}

export interface Container {
  name?: string;
  image: string;
  args?: string[];
  command?: string[];
  env?: EnvVar[];
  envFrom?: unknown[];
  ports?: ContainerPort[];
  resources?: unknown;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  imagePullPolicy?: string;
  workingDir?: string;
  securityContext?: unknown;
  volumeMounts?: unknown[];
}

export interface RevisionSpec {
  containers: Container[];
  containerConcurrency?: number;
  timeoutSeconds?: number;
  responseStartTimeoutSeconds?: number;
  idleTimeoutSeconds?: number;
  serviceAccountName?: string;
  volumes?: unknown[];
  imagePullSecrets?: unknown[];
  enableServiceLinks?: boolean;
}

export interface RevisionTemplateSpec {
  metadata?: ObjectMeta;
  spec: RevisionSpec;
}

export interface ConfigurationSpec {
  template: RevisionTemplateSpec;
}

export interface TrafficTarget {
  tag?: string;
  revisionName?: string;
  configurationName?: string;
  latestRevision?: boolean;
  percent?: number;
  url?: string;
}

export interface RouteSpec {
  traffic?: TrafficTarget[];
}

export interface ServiceSpec extends ConfigurationSpec, RouteSpec {}

export interface ConfigurationStatusFields {
  latestCreatedRevisionName?: string;
  latestReadyRevisionName?: string;
}

export interface RouteStatusFields {
  url?: string;
  address?: Addressable;
  traffic?: TrafficTarget[];
}

export interface ContainerStatus {
  name?: string;
  imageDigest?: string;
}

export interface RevisionStatus extends Status {
  logUrl?: string;
  containerStatuses?: ContainerStatus[];
  actualReplicas?: number;
  desiredReplicas?: number;
}

export type ServiceStatus = Status & ConfigurationStatusFields & RouteStatusFields;
export type ConfigurationStatus = Status & ConfigurationStatusFields;
export type RouteStatus = Status & RouteStatusFields;

export type Service = KObject<ServiceSpec, ServiceStatus>;
export type Configuration = KObject<ConfigurationSpec, ConfigurationStatus>;
export type Revision = KObject<RevisionSpec, RevisionStatus>;
export type Route = KObject<RouteSpec, RouteStatus>;

// ---- serving.knative.dev/v1beta1 DomainMapping ----

export interface KReference {
  apiVersion?: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface DomainMappingSpec {
  ref: KReference;
  tls?: { secretName: string };
}

export interface DomainMappingStatus extends Status {
  url?: string;
  address?: Addressable;
}

export type DomainMapping = KObject<DomainMappingSpec, DomainMappingStatus>;

// ---- networking.internal.knative.dev/v1alpha1 ClusterDomainClaim ----

export interface ClusterDomainClaimSpec {
  namespace: string;
}

export type ClusterDomainClaim = KObject<ClusterDomainClaimSpec, never>;

// ---- autoscaling.internal.knative.dev/v1alpha1 PodAutoscaler ----

export interface PodAutoscalerSpec {
  scaleTargetRef: { apiVersion: string; kind: string; name: string };
  protocolType?: string;
  reachability?: "Reachable" | "Unreachable" | "";
}

export interface PodAutoscalerStatus extends Status {
  desiredScale?: number;
  actualScale?: number;
  serviceName?: string;
  metricsServiceName?: string;
}

export type PodAutoscaler = KObject<PodAutoscalerSpec, PodAutoscalerStatus>;

// ---- v1 core ----

export interface ConfigMap extends KObject<never, never> {
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
}

export type Namespace = KObject<{ finalizers?: string[] }, { phase?: string }>;

// ---- serving.knative.dev/v1alpha1 (older forms, converted to v1 on the way in) ----

export interface V1alpha1RevisionTemplate {
  metadata?: ObjectMeta;
  spec: RevisionSpec & { container?: Container };
}

export interface V1alpha1ConfigurationSpec {
  revisionTemplate?: V1alpha1RevisionTemplate;
  template?: V1alpha1RevisionTemplate;
  build?: unknown;
}

export interface V1alpha1ServiceSpec {
  runLatest?: { configuration: V1alpha1ConfigurationSpec };
  release?: { revisions: string[]; rolloutPercent?: number; configuration: V1alpha1ConfigurationSpec };
  pinned?: { revisionName: string; configuration: V1alpha1ConfigurationSpec };
  manual?: unknown;
  template?: V1alpha1RevisionTemplate;
  traffic?: (TrafficTarget & { name?: string })[];
}

// ---- meta.k8s.io ----

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface KStatus {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, unknown>;
  status: "Success" | "Failure";
  message?: string;
  reason?: string;
  details?: { name?: string; group?: string; kind?: string; causes?: StatusCause[]; retryAfterSeconds?: number };
  code: number;
}

export interface List<T extends KObject = KObject> {
  apiVersion: string;
  kind: string;
  metadata: { resourceVersion?: string; continue?: string };
  items: T[];
}

export interface WatchEvent<T extends KObject = KObject> {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: T | KStatus;
}
export * from "./eventing-types.ts";
