// JSON Web Tokens in compact JWS form, signed RS256 (RSASSA-PKCS1-v1_5 with SHA-256), the algorithm
// kube-apiserver uses for an RSA service-account signing key. Pure apart from node:crypto.

import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

export interface JwtHeader {
  alg: string;
  kid?: string;
  typ?: string;
}

/** A compact JWS split into its parts; nothing in it is trusted until verifyRs256() says so. */
export interface ParsedJwt {
  header: JwtHeader;
  payload: Record<string, unknown>;
  /** base64url(header) "." base64url(payload): what the signature covers. */
  signingInput: string;
  signature: Buffer;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/** Signs `claims` with the RSA private key; the header names the key by `kid`. */
export function signJwt(claims: object, privateKey: KeyObject, kid: string): string {
  const input = `${b64url(JSON.stringify({ alg: 'RS256', kid }))}.${b64url(JSON.stringify(claims))}`;
  return `${input}.${b64url(sign('sha256', Buffer.from(input), privateKey))}`;
}

/** The parts of a compact JWS; undefined when `token` is not one (three base64url parts of JSON objects). */
export function parseJwt(token: string): ParsedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) return undefined;
  const json = (p: string): Record<string, unknown> | undefined => {
    try {
      const v: unknown = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
      return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  };
  const header = json(parts[0]);
  const payload = json(parts[1]);
  if (!header || !payload || typeof header.alg !== 'string') return undefined;
  return { header: header as unknown as JwtHeader, payload, signingInput: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2], 'base64url') };
}

/** Whether the token is RS256 and its signature verifies with the public key. */
export function verifyRs256(jwt: ParsedJwt, publicKey: KeyObject): boolean {
  if (jwt.header.alg !== 'RS256') return false;
  try {
    return verify('sha256', Buffer.from(jwt.signingInput), publicKey, jwt.signature);
  } catch {
    return false;
  }
}

/**
 * The key id kube-apiserver gives a public key: base64url (unpadded) of the SHA-256 of its PKIX DER
 * encoding. Verifiers use it to pick the key from the JWKS.
 */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64url');
}

/** The public key as a JSON Web Key (RFC 7517), as /openid/v1/jwks lists it. */
export function publicJwk(publicKey: KeyObject): Record<string, string> {
  const pub = publicKey.type === 'public' ? publicKey : createPublicKey(publicKey);
  const jwk = pub.export({ format: 'jwk' }) as { kty: string; n: string; e: string };
  return { use: 'sig', kty: jwk.kty, kid: keyIdOf(publicKey), alg: 'RS256', n: jwk.n, e: jwk.e };
}
