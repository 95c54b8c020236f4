// Discovery and OpenAPI documents, answered without touching storage.

import * as discovery from "../protocol/discovery.ts";
import * as openapi from "../protocol/openapi.ts";
import { json } from "./respond.ts";

export function discoveryResponse(req: Request, url: URL): Response | undefined {
  if (req.method !== "GET") return undefined;
  const p = url.pathname.replace(/\/+$/, "") || "/";
  const parts = p.split("/").filter(Boolean);
  if (p === "/version") return json(discovery.versionInfo());
  if (p === "/api") return json(discovery.coreApiVersions());
  if (p === "/api/v1") return json(discovery.coreResourceList());
  if (p === "/apis") return json(discovery.apiGroupList());
  if (parts[0] === "apis" && parts.length === 2) {
    const group = discovery.apiGroupList().groups.find((g: { name: string }) => g.name === parts[1]);
    return group ? json(group) : undefined;
  }
  if (parts[0] === "apis" && parts.length === 3) {
    const list = discovery.apiResourceList(parts[1], parts[2]);
    return list ? json(list) : undefined;
  }
  if (p === "/openapi/v3") return json(openapi.openApiIndex());
  if (parts[0] === "openapi" && parts[1] === "v3") {
    const rest = parts.slice(2);
    const doc = rest[0] === "api" ? openapi.openApiDocument("", rest[1]) : openapi.openApiDocument(rest[1], rest[2]);
    return doc ? json(doc) : undefined;
  }
  return undefined;
}
