// A small client for Knit's Kubernetes-style API: bearer token, JSON bodies, errors carrying the
// server's Status message (printed the way kubectl does: `Error from server (NotFound): …`).

import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { parse } from "yaml";
import { join } from "node:path";
import { DEFAULT_API_PORT, parseKubeconfig, readIfExists, statePaths } from "./state.ts";

export interface Status {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { causes?: { field?: string; message?: string }[] };
}

/** The API answered with an error status. */
export class ApiError extends Error {
  readonly status: number;
  readonly reason: string;
  readonly body: Status | undefined;
  constructor(status: number, body: Status | undefined, fallback: string) {
    const reason = body?.reason || httpReason(status);
    super(`Error from server (${reason}): ${body?.message || fallback}`);
    this.status = status;
    this.reason = reason;
    this.body = body;
  }
}

/** The API could not be reached at all. */
export class ConnectionError extends Error {
  readonly server: string;
  constructor(server: string, cause: unknown) {
    const c = cause as { code?: string; cause?: { code?: string } } | undefined;
    const why = c?.code ?? c?.cause?.code ?? (cause instanceof Error ? cause.message : String(cause));
    super(`cannot reach the Knit API at ${server} (${why}); is \`knit start\` running, and on this --api-port?`);
    this.server = server;
  }
}

function httpReason(status: number): string {
  const reasons: Record<number, string> = {
    400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 405: "MethodNotAllowed",
    409: "Conflict", 413: "RequestEntityTooLarge", 422: "Invalid", 429: "TooManyRequests", 500: "InternalError",
    503: "ServiceUnavailable",
  };
  return reasons[status] ?? `HTTP ${status}`;
}

export interface ClientOptions {
  server: string;
  token: string;
  /** PEM certificate to trust for an https server (Knit's API certificate is self-signed). */
  ca?: string;
}

interface RawResponse {
  status: number;
  contentType: string;
  text: string;
}

/** One HTTP exchange with node:http(s): global fetch cannot be given a CA to trust. */
function send(url: URL, method: string, headers: Record<string, string>, body: string | undefined, ca: string | undefined): Promise<RawResponse> {
  return new Promise((done, fail) => {
    const options = { method, headers: body === undefined ? headers : { ...headers, "content-length": String(Buffer.byteLength(body)) } };
    const req = url.protocol === "https:" ? httpsRequest(url, { ...options, ...(ca ? { ca } : {}) }) : httpRequest(url, options);
    req.on("error", fail);
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", fail);
      res.on("end", () =>
        done({ status: res.statusCode ?? 0, contentType: String(res.headers["content-type"] ?? ""), text: Buffer.concat(chunks).toString("utf8") }),
      );
    });
    req.end(body);
  });
}

export class ApiClient {
  readonly server: string;
  readonly token: string;
  readonly ca?: string;
  constructor(opts: ClientOptions) {
    this.server = opts.server.replace(/\/+$/, "");
    this.token = opts.token;
    this.ca = opts.ca;
  }

  /** Sends a request; returns the parsed JSON body (or text when not JSON), throws ApiError on non-2xx. */
  async request<T = unknown>(method: string, path: string, opts: { body?: unknown; accept?: string; contentType?: string } = {}): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, accept: opts.accept ?? "application/json" };
    let body: string | undefined;
    if (opts.body !== undefined) {
      body = typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
      headers["content-type"] = opts.contentType ?? "application/json";
    }
    let res: RawResponse;
    try {
      res = await send(new URL(this.server + path), method, headers, body, this.ca);
    } catch (err) {
      throw new ConnectionError(this.server, err);
    }
    const text = res.text;
    let parsed: unknown = text;
    if (res.contentType.includes("json") || /^\s*[{[]/.test(text)) {
      try {
        parsed = JSON.parse(text);
      } catch {
        // Not JSON after all: keep the text.
      }
    }
    if (res.status < 200 || res.status > 299) {
      const status = parsed && typeof parsed === "object" ? (parsed as Status) : undefined;
      throw new ApiError(res.status, status, `${method} ${path}: ${res.status} ${text.slice(0, 200)}`.trim());
    }
    return parsed as T;
  }

  get<T = unknown>(path: string, accept?: string): Promise<T> {
    return this.request<T>("GET", path, { accept });
  }
  create<T = unknown>(collection: string, obj: unknown): Promise<T> {
    return this.request<T>("POST", collection, { body: obj });
  }
  replace<T = unknown>(path: string, obj: unknown): Promise<T> {
    return this.request<T>("PUT", path, { body: obj });
  }
  delete<T = unknown>(path: string): Promise<T> {
    return this.request<T>("DELETE", path);
  }

  /** Pushes an ES module to the script store; answers the pinned `worker://name@sha256:…` reference. */
  pushScript(name: string, code: string, tag = "latest"): Promise<{ name: string; digest: string; image: string }> {
    const q = tag ? `?tag=${encodeURIComponent(tag)}` : "";
    return this.request("PUT", `/knit/v1/scripts/${encodeURIComponent(name)}${q}`, {
      body: code,
      contentType: "application/javascript",
    });
  }
}

export interface ConnectOptions {
  stateDir: string;
  /** Port from --api-port or KNIT_API_PORT; overrides what the state dir's kubeconfig says. */
  apiPort?: number;
  /** Path of a kubeconfig to use when the state dir has no credentials (KUBECONFIG). */
  kubeconfig?: string;
}

/**
 * Finds the API and its token: the state dir written by `knit start` first (its kubeconfig knows the
 * API port it was started with), then a kubeconfig from KUBECONFIG.
 */
export async function connect(opts: ConnectOptions): Promise<ApiClient> {
  const paths = statePaths(opts.stateDir);
  const fromState = await readKubeconfig(paths.kubeconfig);
  const token = (await readIfExists(paths.token))?.trim() || fromState?.token;
  if (token) {
    const ca = (await readIfExists(join(paths.tls, "cert.pem"))) ?? fromState?.ca;
    const scheme = ca ? "https" : "http";
    const server = opts.apiPort ? `${scheme}://127.0.0.1:${opts.apiPort}` : fromState?.server ?? `${scheme}://127.0.0.1:${DEFAULT_API_PORT}`;
    return new ApiClient({ server, token, ca });
  }
  const external = opts.kubeconfig ? await readKubeconfig(opts.kubeconfig) : undefined;
  if (external?.token) {
    const scheme = external.ca ? "https" : "http";
    const server = opts.apiPort ? `${scheme}://127.0.0.1:${opts.apiPort}` : external.server;
    return new ApiClient({ server, token: external.token, ca: external.ca });
  }
  throw new Error(
    `no API token: ${paths.token} does not exist${opts.kubeconfig ? ` and ${opts.kubeconfig} has no token` : ""}; ` +
      `run \`knit start\` first (or pass --state-dir / KNIT_STATE_DIR of a running platform)`,
  );
}

async function readKubeconfig(path: string) {
  const text = await readIfExists(path);
  if (text === undefined) return undefined;
  try {
    return parseKubeconfig(parse(text));
  } catch {
    return undefined;
  }
}
