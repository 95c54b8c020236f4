// Typed API errors. Thrown anywhere in the API; turned into a Kubernetes Status once, at the HTTP edge.

import type { StatusCause } from "./types.ts";

export class ApiError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly details?: { name?: string; group?: string; kind?: string; causes?: StatusCause[]; retryAfterSeconds?: number };
  constructor(
    code: number,
    reason: string,
    message: string,
    details?: { name?: string; group?: string; kind?: string; causes?: StatusCause[]; retryAfterSeconds?: number },
  ) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.details = details;
  }
}

export class BadRequestError extends ApiError {
  constructor(message: string) {
    super(400, "BadRequest", message);
  }
}

export class NotFoundError extends ApiError {
  constructor(resource: string, name: string, kind?: string, group?: string) {
    super(404, "NotFound", `${resource} "${name}" not found`, { name, kind: kind ?? resource.split(".")[0], group });
  }
}

export class AlreadyExistsError extends ApiError {
  constructor(resource: string, name: string, group?: string) {
    super(409, "AlreadyExists", `${resource} "${name}" already exists`, { name, kind: resource.split(".")[0], group });
  }
}

export class ConflictError extends ApiError {
  constructor(resource: string, name: string, group?: string) {
    super(
      409,
      "Conflict",
      `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      { name, kind: resource.split(".")[0], group },
    );
  }
}

export class InvalidError extends ApiError {
  constructor(kind: string, group: string, name: string, causes: { field: string; message: string; reason?: string }[]) {
    const summary = causes.map((c) => `${c.field}: ${c.message}`).join(", ");
    const qualified = group ? `${kind}.${group}` : kind;
    super(422, "Invalid", `${qualified} "${name}" is invalid: ${summary}`, {
      name,
      kind,
      group,
      causes: causes.map((c) => ({ field: c.field, message: c.message, reason: c.reason ?? "FieldValueInvalid" })),
    });
  }
}

export class UnauthorizedError extends ApiError {
  constructor() {
    super(401, "Unauthorized", "Unauthorized: a valid bearer token is required");
  }
}

export class UnsupportedMediaTypeError extends ApiError {
  constructor(contentType: string) {
    super(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types: application/json, application/merge-patch+json, application/json-patch+json, application/strategic-merge-patch+json (got "${contentType}")`);
  }
}

export class TooLargeError extends ApiError {
  constructor(limit: number) {
    super(413, "RequestEntityTooLarge", `request body exceeds the limit of ${limit} bytes`);
  }
}

export class MethodNotAllowedError extends ApiError {
  constructor(method: string, path: string) {
    super(405, "MethodNotAllowed", `${method} is not supported on ${path}`);
  }
}
