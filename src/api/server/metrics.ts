// /metrics on the API port: every worker revision's figures in the Prometheus text format (0.0.4).
// Names follow Knative's where it has one (request_count, request_latencies in ms, response_code_class,
// the *_name labels), with a knit_revision_ prefix.

import type { RevisionStats } from "../../activator/activator.ts";
import { Histogram, LATENCY_BUCKETS_MS, type HistogramSnapshot } from "../../activator/stats.ts";

type Labels = Record<string, string>;

interface Family {
  name: string;
  help: string;
  type: "counter" | "gauge" | "histogram";
  lines: string[];
}

export function formatPrometheus(all: RevisionStats[]): string {
  const families = new Map<string, Family>();
  const family = (name: string, type: Family["type"], help: string): Family => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { name, type, help, lines: [] }));
    return f;
  };
  const sample = (f: Family, labels: Labels, value: number, suffix = "") => f.lines.push(`${f.name}${suffix}${labelText(labels)} ${formatValue(value)}`);
  const histogram = (f: Family, labels: Labels, h: HistogramSnapshot) => {
    let cumulative = 0;
    LATENCY_BUCKETS_MS.forEach((le, i) => {
      cumulative += h.counts[i] ?? 0;
      sample(f, { ...labels, le: String(le) }, cumulative, "_bucket");
    });
    cumulative += h.counts[LATENCY_BUCKETS_MS.length] ?? 0;
    sample(f, { ...labels, le: "+Inf" }, cumulative, "_bucket");
    sample(f, labels, h.sumMs, "_sum");
    sample(f, labels, cumulative, "_count");
  };

  const requests = family("knit_revision_request_count", "counter", "Requests answered, by response code class and by path (through the activator, or straight to an instance).");
  const latency = family("knit_revision_request_latencies", "histogram", "Time from the request's arrival to the revision's response headers, in milliseconds.");
  const inFlight = family("knit_revision_requests_in_flight", "gauge", "Requests being served by the revision's instances.");
  const queue = family("knit_revision_queue_depth", "gauge", "Requests waiting in the activator for capacity.");
  const desired = family("knit_revision_desired_scale", "gauge", "Instances the autoscaler wants.");
  const actual = family("knit_revision_actual_scale", "gauge", "Instances loaded.");
  const cold = family("knit_revision_cold_starts_total", "counter", "Scale-ups from zero instances.");
  const coldLatency = family("knit_revision_cold_start_latencies", "histogram", "Latency of the request that found no instance (cold start included), in milliseconds.");
  const inPath = family("knit_revision_activator_in_path", "gauge", "1 when requests go through the activator, 0 when routers call instances directly.");

  for (const s of [...all].sort((a, b) => `${a.namespace}/${a.revision}`.localeCompare(`${b.namespace}/${b.revision}`))) {
    const labels: Labels = {
      namespace_name: s.namespace,
      service_name: s.service ?? "",
      configuration_name: s.configuration,
      revision_name: s.revision,
    };
    for (const [path, delta] of [["activator", s.activator], ["direct", s.direct]] as const) {
      for (const [cls, n] of Object.entries(delta.codes).sort()) sample(requests, { ...labels, response_code_class: cls, path }, n);
    }
    const both = new Histogram();
    both.merge(s.activator.latency);
    both.merge(s.direct.latency);
    histogram(latency, labels, both.snapshot());
    sample(inFlight, labels, s.inFlight);
    sample(queue, labels, s.queueDepth);
    sample(desired, labels, s.desiredScale);
    sample(actual, labels, s.actualScale);
    sample(cold, labels, s.coldStarts);
    histogram(coldLatency, labels, s.coldStartLatency);
    sample(inPath, labels, s.activatorInPath ? 1 : 0);
  }

  const out: string[] = [];
  for (const f of families.values()) {
    out.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`, ...f.lines);
  }
  return out.join("\n") + "\n";
}

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
}

function formatValue(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(3);
}
