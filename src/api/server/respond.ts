// The one place where errors become Kubernetes Status responses.

import { ApiError } from "../errors.ts";
import type { KStatus } from "../types.ts";

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}

export function statusBody(code: number, reason: string, message: string, details?: KStatus["details"]): KStatus {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: code < 400 ? "Success" : "Failure", message, reason, details, code };
}

export function errorResponse(err: unknown): Response {
  if (err instanceof ApiError) {
    const headers: Record<string, string> = {};
    if (err.details?.retryAfterSeconds !== undefined) headers["retry-after"] = String(err.details.retryAfterSeconds);
    if (err.code === 401) headers["www-authenticate"] = 'Bearer realm="knit"';
    return json(statusBody(err.code, err.reason, err.message, err.details), err.code, headers);
  }
  if (err instanceof SyntaxError) {
    return json(statusBody(400, "BadRequest", `the request body is not valid JSON: ${err.message}`), 400);
  }
  const message = err instanceof Error ? err.message : String(err);
  return json(statusBody(500, "InternalError", `Internal error occurred: ${message}`), 500);
}
