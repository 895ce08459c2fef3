// Image references, parsed and normalised the way containers/image (docker/distribution's grammar) and
// the kubelet do: "busybox" → "docker.io/library/busybox:latest", "localhost/busybox" →
// "localhost/busybox:latest", "host:5000/a/b:tag", "name@sha256:<64 hex>". Pure: no I/O.
//
//   reference := name [ ":" tag ] [ "@" digest ]
//   name      := [ domain "/" ] component ( "/" component )*      (lowercase, ≤ 255 chars)
//   domain    := domain-component ( "." domain-component )* [ ":" port ]
//
// A first part counts as a domain only when it contains "." or ":" or is "localhost" (and is not
// uppercase), exactly as docker's splitDockerDomain decides; otherwise the domain is docker.io, and a
// single-component docker.io name gets the "library/" prefix.

import { BadRequestError } from '../errors.js';

export const DEFAULT_DOMAIN = 'docker.io';
export const DEFAULT_TAG = 'latest';

/** An unusable image name: the kubelet reports it as the InvalidImageName waiting reason. */
export class InvalidImageNameError extends BadRequestError {
  readonly reason = 'InvalidImageName';
  constructor(ref: string, why: string) {
    super(`invalid image reference "${ref}": ${why}`);
  }
}

export interface ParsedReference {
  /** Registry host[:port], e.g. "docker.io", "localhost", "host:5000". */
  domain: string;
  /** Repository path inside the registry, e.g. "library/busybox". */
  path: string;
  /** "<domain>/<path>". */
  name: string;
  /** Tag as written, or undefined (see normalizeReference for the default). */
  tag?: string;
  /** "sha256:<hex>" when the reference pins a digest. */
  digest?: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const HEX64 = /^[a-f0-9]{64}$/;

/** Parses and validates a reference; throws InvalidImageNameError. Defaults are filled in. */
export function parseReference(ref: string): ParsedReference {
  if (ref === '') throw new InvalidImageNameError(ref, 'empty reference');
  if (ref.trim() !== ref) throw new InvalidImageNameError(ref, 'leading or trailing whitespace');
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw new InvalidImageNameError(ref, 'digest must be sha256:<64 lowercase hex>');
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw new InvalidImageNameError(ref, `invalid tag "${tag}"`);
  }
  if (HEX64.test(rest)) throw new InvalidImageNameError(ref, 'repository name must not be a 64-byte hex string');
  const { domain, path } = splitDomain(ref, rest);
  const name = `${domain}/${path}`;
  if (name.length > 255) throw new InvalidImageNameError(ref, 'repository name longer than 255 characters');
  return { domain, path, name, ...(tag !== undefined ? { tag } : {}), ...(digest ? { digest } : {}) };
}

function splitDomain(ref: string, name: string): { domain: string; path: string } {
  if (name === '') throw new InvalidImageNameError(ref, 'empty repository name');
  const slash = name.indexOf('/');
  const first = slash >= 0 ? name.slice(0, slash) : '';
  const isDomain =
    slash >= 0 && (/[.:]/.test(first) || first === 'localhost') && first.toLowerCase() === first;
  let domain = DEFAULT_DOMAIN;
  let path = name;
  if (isDomain) {
    if (!DOMAIN.test(first)) throw new InvalidImageNameError(ref, `invalid registry host "${first}"`);
    domain = first === 'index.docker.io' ? DEFAULT_DOMAIN : first;
    path = name.slice(slash + 1);
  }
  const parts = path.split('/');
  for (const p of parts) {
    if (p !== p.toLowerCase()) throw new InvalidImageNameError(ref, 'repository name must be lowercase');
    if (!COMPONENT.test(p)) throw new InvalidImageNameError(ref, `invalid repository path component "${p}"`);
  }
  if (domain === DEFAULT_DOMAIN && parts.length === 1) path = `library/${path}`;
  return { domain, path };
}

/**
 * The normalised string form: "<name>:<tag>" (tag defaults to latest), or "<name>@<digest>" when a
 * digest is pinned (a tag next to a digest is dropped, as the digest decides what is run).
 */
export function normalizeReference(ref: string): string {
  return formatReference(parseReference(ref));
}

export function formatReference(r: ParsedReference): string {
  if (r.digest) return `${r.name}@${r.digest}`;
  return `${r.name}:${r.tag ?? DEFAULT_TAG}`;
}

/** True when `ref` parses as an image reference. */
export function isValidReference(ref: string): boolean {
  try {
    parseReference(ref);
    return true;
  } catch {
    return false;
  }
}

/** "sha256:<hex>" from "sha256:<hex>" or a bare 64-hex id; undefined for anything else. */
export function asFullImageId(s: string): string | undefined {
  if (DIGEST.test(s)) return s;
  if (HEX64.test(s)) return `sha256:${s}`;
  return undefined;
}

/** The hex part of a digest ("sha256:<hex>" → "<hex>"). */
export function digestHex(digest: string): string {
  if (!DIGEST.test(digest)) throw new BadRequestError(`invalid digest "${digest}": want sha256:<64 hex>`);
  return digest.slice('sha256:'.length);
}

/** True when `s` could be a short image id: 3–64 lowercase hex chars, optionally "sha256:"-prefixed. */
export function isIdPrefix(s: string): boolean {
  const hex = s.startsWith('sha256:') ? s.slice(7) : s;
  return /^[a-f0-9]{3,64}$/.test(hex);
}

/** Whether the image id "sha256:<hex>" starts with the short id `prefix` (see isIdPrefix). */
export function matchesIdPrefix(id: string, prefix: string): boolean {
  if (!isIdPrefix(prefix)) return false;
  const hex = prefix.startsWith('sha256:') ? prefix.slice(7) : prefix;
  return id.startsWith(`sha256:${hex}`);
}

/** The 12-char short id docker and crictl print. */
export function shortId(id: string): string {
  return (id.startsWith('sha256:') ? id.slice(7) : id).slice(0, 12);
}
