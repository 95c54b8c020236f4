// A self-signed certificate for the API socket. Why TLS on loopback: kubectl (client-go) only sends a
// kubeconfig's bearer token over https — against an http server it sends no credentials at all, so a
// token-protected API would be unusable from kubectl. Node has no certificate generator and no
// dependency is added for one, so this builds the X.509 DER by hand (ECDSA P-256, SHA-256).

import { createPrivateKey, generateKeyPairSync, randomBytes, sign, X509Certificate } from "node:crypto";
import { join } from "node:path";
import { ensureDir, readIfExists, writePrivate } from "./state.ts";

export interface TlsMaterial {
  /** PEM certificate (also the CA the kubeconfig trusts: it is self-signed). */
  cert: string;
  /** PEM PKCS#8 private key. */
  key: string;
}

// --- minimal DER encoding ---
function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), len(body.length), body]);
}
const seq = (...c: Buffer[]) => tlv(0x30, ...c);
const set = (...c: Buffer[]) => tlv(0x31, ...c);
const explicit = (n: number, ...c: Buffer[]) => tlv(0xa0 + n, ...c);
const octets = (b: Buffer) => tlv(0x04, b);
const bits = (b: Buffer, unusedBits = 0) => tlv(0x03, Buffer.from([unusedBits]), b);
const bool = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0]));
function int(b: Buffer): Buffer {
  // Positive INTEGER: a leading 0 when the high bit is set.
  return tlv(0x02, b[0] & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
}
function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split(".").map(Number);
  const out = [a * 40 + b];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = n >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}
function time(d: Date): Buffer {
  // UTCTime until 2049, GeneralizedTime after (RFC 5280 §4.1.2.5).
  const iso = d.toISOString().replace(/[-:T]/g, "").slice(0, 14);
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`)) : tlv(0x18, Buffer.from(`${iso}Z`));
}
const name = (cn: string) => seq(set(seq(oid("2.5.4.3"), tlv(0x0c, Buffer.from(cn)))));
const extension = (id: string, critical: boolean, value: Buffer) => seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));

/** A self-signed certificate for 127.0.0.1 / localhost, valid ten years. */
export function generateSelfSigned(commonName = "knit", now = new Date()): TlsMaterial {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const ecdsaSha256 = seq(oid("1.2.840.10045.4.3.2"));
  const notBefore = new Date(now.getTime() - 60 * 60 * 1000);
  const notAfter = new Date(now.getTime() + 10 * 365 * 24 * 60 * 60 * 1000);
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  const san = seq(tlv(0x87, Buffer.from([127, 0, 0, 1])), tlv(0x82, Buffer.from("localhost")));
  const tbs = seq(
    explicit(0, int(Buffer.from([2]))), // v3
    int(serial),
    ecdsaSha256,
    name(commonName),
    seq(time(notBefore), time(notAfter)),
    name(commonName),
    publicKey.export({ type: "spki", format: "der" }),
    explicit(
      3,
      seq(
        extension("2.5.29.19", true, seq(bool(true))), // basicConstraints CA: it is its own trust anchor
        extension("2.5.29.15", true, bits(Buffer.from([0x84]), 2)), // keyUsage digitalSignature, keyCertSign
        extension("2.5.29.37", false, seq(oid("1.3.6.1.5.5.7.3.1"))), // extKeyUsage serverAuth
        extension("2.5.29.17", false, san),
      ),
    ),
  );
  const signature = sign("sha256", tbs, privateKey);
  const der = seq(tbs, ecdsaSha256, bits(signature));
  const b64 = der.toString("base64").replace(/(.{64})/g, "$1\n").trimEnd();
  return {
    cert: `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`,
    key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
}

/** The state dir's certificate and key, created on first use and kept (the kubeconfig trusts this cert). */
export async function ensureTls(dir: string): Promise<TlsMaterial> {
  const certFile = join(dir, "cert.pem");
  const keyFile = join(dir, "key.pem");
  const [cert, key] = [await readIfExists(certFile), await readIfExists(keyFile)];
  if (cert && key && usable(cert, key)) return { cert, key };
  await ensureDir(dir);
  const fresh = generateSelfSigned();
  await writePrivate(keyFile, fresh.key);
  await writePrivate(certFile, fresh.cert);
  return fresh;
}

function usable(cert: string, key: string): boolean {
  try {
    const x = new X509Certificate(cert);
    return x.checkPrivateKey(createPrivateKey(key)) && Date.parse(x.validTo) > Date.now() + 24 * 60 * 60 * 1000;
  } catch {
    return false;
  }
}
