// autoscaling.knative.dev/* annotations, checked as Knative's webhook does.

import type { FieldError } from "./field-error.ts";
import { invalid } from "./field-error.ts";
import { parseGoDuration } from "./duration.ts";

const PREFIX = "autoscaling.knative.dev/";
const CLASSES = ["kpa.autoscaling.knative.dev", "hpa.autoscaling.knative.dev"];

function int(v: string): number | undefined {
  return /^-?\d+$/.test(v) ? Number(v) : undefined;
}

function num(v: string): number | undefined {
  const n = Number(v);
  return v.trim() !== "" && Number.isFinite(n) ? n : undefined;
}

export function validateAutoscalingAnnotations(annotations: Record<string, string> | undefined, base: string): FieldError[] {
  if (!annotations) return [];
  const errors: FieldError[] = [];
  const at = (k: string) => `${base}[${k}]`;
  const get = (name: string) => annotations[PREFIX + name] ?? annotations[PREFIX + name.replace("-scale", "Scale")];
  for (const [k, v] of Object.entries(annotations)) {
    if (!k.startsWith(PREFIX)) continue;
    const name = k.slice(PREFIX.length);
    switch (name) {
      case "class":
        if (!CLASSES.includes(v)) errors.push(invalid(at(k), v, `must be one of ${CLASSES.join(", ")}`));
        break;
      case "metric": {
        const cls = annotations[PREFIX + "class"] ?? CLASSES[0];
        const allowed = cls === CLASSES[0] ? ["concurrency", "rps"] : ["cpu", "memory", "concurrency", "rps"];
        if (!allowed.includes(v)) errors.push(invalid(at(k), v, `must be one of ${allowed.join(", ")} for class ${cls}`));
        break;
      }
      case "min-scale": case "minScale": case "max-scale": case "maxScale": case "initial-scale": case "initialScale":
        if (int(v) === undefined || int(v)! < 0) errors.push(invalid(at(k), v, "must be a non-negative integer"));
        break;
      case "activation-scale":
        if (int(v) === undefined || int(v)! < 1) errors.push(invalid(at(k), v, "must be an integer of at least 1"));
        break;
      case "target":
        if (num(v) === undefined || num(v)! < 0.01) errors.push(invalid(at(k), v, "must be a number of at least 0.01"));
        break;
      case "target-utilization-percentage": case "panic-window-percentage":
        if (num(v) === undefined || num(v)! < 1 || num(v)! > 100) errors.push(invalid(at(k), v, "must be between 1 and 100"));
        break;
      case "panic-threshold-percentage":
        if (num(v) === undefined || num(v)! < 110 || num(v)! > 1000) errors.push(invalid(at(k), v, "must be between 110 and 1000"));
        break;
      case "target-burst-capacity":
        if (num(v) === undefined || num(v)! < -1) errors.push(invalid(at(k), v, "must be -1 (unlimited), 0 or a positive number"));
        break;
      case "window": {
        const ms = parseGoDuration(v);
        if (ms === undefined || ms < 6000 || ms > 3_600_000) errors.push(invalid(at(k), v, "must be a duration between 6s and 1h"));
        break;
      }
      case "scale-down-delay": case "scale-to-zero-pod-retention-period": {
        const ms = parseGoDuration(v);
        if (ms === undefined || ms < 0 || ms > 3_600_000) errors.push(invalid(at(k), v, "must be a duration between 0s and 1h"));
        break;
      }
      default:
        break;
    }
  }
  const min = int(get("min-scale") ?? "");
  const max = int(get("max-scale") ?? "");
  if (min !== undefined && max !== undefined && max > 0 && min > max) {
    errors.push(invalid(at(PREFIX + "min-scale"), String(min), `must be less than or equal to max-scale (${max})`));
  }
  return errors;
}
