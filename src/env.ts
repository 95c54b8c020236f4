// Bindings of the platform worker (see src/cli/config for the workerd config that provides them).

import type { Store } from "./api/store/store.ts";
import type { Activator } from "./activator/activator.ts";
import type { EventLog } from "./eventing/event-log.ts";
import type { Pinger } from "./eventing/sources/ping.ts";
import type { SourceRunner } from "./eventing/sources/container.ts";

export interface Env {
  /** Worker Loader: starts revision isolates from code held as strings. */
  LOADER: WorkerLoader;
  /** The cluster state: one SQLite Durable Object (id name "cluster"). */
  STORE: DurableObjectNamespace<Store>;
  /** One activator per revision (id name "namespace/name"). */
  ACTIVATOR: DurableObjectNamespace<Activator>;
  /** One event log per Broker (id name "broker:namespace/name"). */
  EVENTS: DurableObjectNamespace<EventLog>;
  /** One per PingSource (id name "ping:namespace/name"). */
  PINGERS: DurableObjectNamespace<Pinger>;
  /** One per ContainerSource running a worker (id name "container:namespace/name"). */
  RUNNERS: DurableObjectNamespace<SourceRunner>;
  /** Bearer token the API requires. */
  API_TOKEN: string;
  /** Public addresses only: what Outbound sends a revision's calls to when they are not for Knit's hosts. */
  PUBLIC_NET?: Fetcher;
  /** Revisions' outbound (the Outbound entrypoint): Knit's hosts through the ingress, else PUBLIC_NET. */
  OUTBOUND?: Fetcher;
  /** The dispatcher process (`knit start`): makes deliveries to subscribers outside Knit, in batches. */
  DISPATCHER?: Fetcher;
  /** "cluster": serve a stand-in Kubernetes API (built-in kinds and CRDs) instead of Knit's own kinds. */
  MODE?: string;
  /** "true" when a Kubernetes bridge runs pod revisions. */
  POD_RUNTIME?: string;
}
