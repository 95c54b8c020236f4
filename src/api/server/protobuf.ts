// kubectl's imperative commands (`kubectl create namespace`, `create configmap`) send built-in kinds as
// Kubernetes protobuf. This decodes that envelope for the core kinds Knit serves, into their JSON form.

import { UnsupportedMediaTypeError } from "../errors.ts";
import type { KObject } from "../types.ts";

const MAGIC = [0x6b, 0x38, 0x73, 0x00]; // "k8s\0"

type Field = { no: number; wire: number; value: number | Uint8Array };

function* fields(buf: Uint8Array): Generator<Field> {
  let i = 0;
  const varint = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = buf[i++];
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
    }
  };
  while (i < buf.length) {
    const key = varint();
    const no = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) yield { no, wire, value: varint() };
    else if (wire === 2) {
      const len = varint();
      yield { no, wire, value: buf.subarray(i, i + len) };
      i += len;
    } else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else throw new UnsupportedMediaTypeError("application/vnd.kubernetes.protobuf (malformed)");
  }
}

const text = (v: number | Uint8Array) => new TextDecoder().decode(v as Uint8Array);

function mapEntry(bytes: Uint8Array, valueAsBase64 = false): [string, string] {
  let k = "";
  let v = "";
  for (const f of fields(bytes)) {
    if (f.no === 1) k = text(f.value);
    if (f.no === 2) v = valueAsBase64 ? btoa(String.fromCharCode(...(f.value as Uint8Array))) : text(f.value);
  }
  return [k, v];
}

function objectMeta(bytes: Uint8Array): KObject["metadata"] {
  const meta: KObject["metadata"] = {};
  for (const f of fields(bytes)) {
    // proto3 writes empty strings; JSON leaves them out.
    const value = f.wire === 2 ? text(f.value) : "";
    if (f.no === 1 && value) meta.name = value;
    else if (f.no === 2 && value) meta.generateName = value;
    else if (f.no === 3 && value) meta.namespace = value;
    else if (f.no === 6 && value) meta.resourceVersion = value;
    else if (f.no === 11) (meta.labels ??= {})[mapEntry(f.value as Uint8Array)[0]] = mapEntry(f.value as Uint8Array)[1];
    else if (f.no === 12) (meta.annotations ??= {})[mapEntry(f.value as Uint8Array)[0]] = mapEntry(f.value as Uint8Array)[1];
  }
  return meta;
}

/** Decodes a protobuf-encoded Namespace or ConfigMap; anything else is a 415 (JSON is always accepted). */
export function decodeProtobuf(body: Uint8Array): KObject {
  if (MAGIC.some((b, i) => body[i] !== b)) throw new UnsupportedMediaTypeError("application/vnd.kubernetes.protobuf (no k8s envelope)");
  let apiVersion = "";
  let kind = "";
  let raw: Uint8Array = new Uint8Array();
  for (const f of fields(body.subarray(4))) {
    if (f.no === 1) for (const t of fields(f.value as Uint8Array)) { if (t.no === 1) apiVersion = text(t.value); if (t.no === 2) kind = text(t.value); }
    if (f.no === 2) raw = f.value as Uint8Array;
  }
  if (apiVersion !== "v1" || (kind !== "Namespace" && kind !== "ConfigMap")) {
    throw new UnsupportedMediaTypeError(`application/vnd.kubernetes.protobuf for ${apiVersion} ${kind}: send JSON`);
  }
  const obj: KObject & { data?: Record<string, string>; binaryData?: Record<string, string> } = { apiVersion, kind, metadata: {} };
  for (const f of fields(raw)) {
    if (f.no === 1) obj.metadata = objectMeta(f.value as Uint8Array);
    else if (kind === "ConfigMap" && f.no === 2) {
      const [k, v] = mapEntry(f.value as Uint8Array);
      (obj.data ??= {})[k] = v;
    } else if (kind === "ConfigMap" && f.no === 3) {
      const [k, v] = mapEntry(f.value as Uint8Array, true);
      (obj.binaryData ??= {})[k] = v;
    }
  }
  return obj;
}
