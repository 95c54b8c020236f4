import { describe, expect, it } from "vitest";
import { formatPrometheus } from "./metrics.ts";
import { Histogram, RequestStats } from "../../activator/stats.ts";
import type { RevisionStats } from "../../activator/activator.ts";

function revision(over: Partial<RevisionStats> = {}): RevisionStats {
  const served = new RequestStats();
  served.record(200, 3);
  served.record(200, 30);
  served.record(503, 0.5);
  const direct = new RequestStats();
  direct.record(200, 1);
  const cold = new Histogram();
  cold.observe(4);
  return {
    namespace: "default", revision: "hello-00001", service: "hello", configuration: "hello",
    inFlight: 2, queueDepth: 1, desiredScale: 3, actualScale: 2, activatorInPath: true,
    activator: served.snapshot(), direct: direct.snapshot(), coldStarts: 1, coldStartLatency: cold.snapshot(),
    ...over,
  };
}

describe("formatPrometheus", () => {
  const text = formatPrometheus([revision()]);
  const labels = 'namespace_name="default",service_name="hello",configuration_name="hello",revision_name="hello-00001"';

  it.each([
    [`knit_revision_request_count{${labels},response_code_class="2xx",path="activator"} 2`],
    [`knit_revision_request_count{${labels},response_code_class="5xx",path="activator"} 1`],
    [`knit_revision_request_count{${labels},response_code_class="2xx",path="direct"} 1`],
    [`knit_revision_request_latencies_bucket{${labels},le="1"} 2`],
    [`knit_revision_request_latencies_bucket{${labels},le="5"} 3`],
    [`knit_revision_request_latencies_bucket{${labels},le="+Inf"} 4`],
    [`knit_revision_request_latencies_count{${labels}} 4`],
    [`knit_revision_request_latencies_sum{${labels}} 34.500`],
    [`knit_revision_requests_in_flight{${labels}} 2`],
    [`knit_revision_queue_depth{${labels}} 1`],
    [`knit_revision_desired_scale{${labels}} 3`],
    [`knit_revision_actual_scale{${labels}} 2`],
    [`knit_revision_cold_starts_total{${labels}} 1`],
    [`knit_revision_cold_start_latencies_count{${labels}} 1`],
    [`knit_revision_activator_in_path{${labels}} 1`],
    ["# TYPE knit_revision_request_latencies histogram"],
    ["# TYPE knit_revision_cold_starts_total counter"],
  ])("has %s", (line) => {
    expect(text.split("\n")).toContain(line);
  });

  it("gives every family one HELP and one TYPE line, whatever the number of revisions", () => {
    const two = formatPrometheus([revision(), revision({ revision: "hello-00002" })]);
    expect(two.match(/^# TYPE knit_revision_queue_depth /gm)).toHaveLength(1);
    expect(two.match(/^knit_revision_queue_depth\{/gm)).toHaveLength(2);
  });

  it("escapes label values", () => {
    expect(formatPrometheus([revision({ service: 'a"b\\c' })])).toContain('service_name="a\\"b\\\\c"');
  });
});
