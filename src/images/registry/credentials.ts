// Pull credentials: where they come from and which ones an image gets, as the kubelet's credentialprovider
// keyring decides (pkg/credentialprovider: config.go parses, keyring.go matches, secrets/ builds a pod's).
//
// Sources, in the order a pull tries them:
//   1. the pod's imagePullSecrets: `kubernetes.io/dockerconfigjson` (data[".dockerconfigjson"], a
//      config.json) and `kubernetes.io/dockercfg` (data[".dockercfg"], the legacy format); other types
//      are ignored, a listed secret that does not exist is a warning (the kubelet pulls on without it);
//   2. the node's `<data-dir>/config.json` (the kubelet's /var/lib/kubelet/config.json), read at every
//      lookup so an edit takes effect without a restart.
// The kubelet tries each matching credential in turn until a pull succeeds; with none it pulls anonymously.
//
// Docker config entries: `{username, password, auth, email}` under a registry key. `auth` is
// base64("user:pass") and, when present, replaces username and password. Entries that end up with neither
// (empty objects, as credential helpers leave behind; identity tokens) are skipped: they hold nothing a
// pull can send.
//
// Matching a key against an image (keyring.go's URLsMatch):
//   - a key without a scheme is read as https://KEY; the scheme is then dropped (http:// keys match too);
//   - a leading /v1/ or /v2/ in the key's path is dropped ("https://index.docker.io/v1/" is a host key);
//   - hosts match label by label, each label a glob ("*.example.com" matches "a.example.com", not
//     "example.com" nor "a.b.example.com"); ports must be equal, a missing port being a port of its own;
//   - the key's path must be a prefix of the image's repository path, by whole segments;
//   - docker.io, index.docker.io and registry-1.docker.io are one registry (Docker Hub).
// Order: the keys that match, reverse-sorted as strings (the kubelet's index), so "quay.io/team" comes
// before "quay.io"; credentials under one key keep the order they were added in.
//
// Where this departs from the kubelet, on purpose: its path check is a string prefix ("quay.io/team"
// also matches "quay.io/team-b/x"), here whole segments; it compares hosts case-sensitively, here
// lowercased; it reaches index.docker.io keys only as a fallback when no other key of the keyring
// matched and knows no registry-1.docker.io, here all three Hub names are one key; it fails the whole
// secret or file on one bad entry, here the entry is skipped and reported.
//
// Nothing here puts a password, an auth string or a secret's content into a message or a `source`.

import fs from 'node:fs/promises';
import path from 'node:path';
import { InternalError } from '../../errors.js';
import type { Secret } from '../../k8s/types.js';
import { DEFAULT_DOMAIN, parseReference, type ParsedReference } from '../reference.js';
import type { RegistryCredential } from './types.js';

export const SECRET_TYPE_DOCKER_CONFIG_JSON = 'kubernetes.io/dockerconfigjson';
export const SECRET_TYPE_DOCKERCFG = 'kubernetes.io/dockercfg';
export const DOCKER_CONFIG_JSON_KEY = '.dockerconfigjson';
export const DOCKERCFG_KEY = '.dockercfg';
/** The node-level credentials file, under the data dir (the kubelet reads <root-dir>/config.json). */
export const NODE_CONFIG_FILE = 'config.json';

/** Hosts that are Docker Hub under another name (keys written by `docker login`, containerd's endpoint). */
const DOCKER_HUB_ALIASES = new Set(['index.docker.io', 'registry-1.docker.io']);

/** One usable entry of a docker config: the registry key as written, with its credentials. */
export interface DockerConfigEntry {
  /** "reg.example.com:5000", "https://index.docker.io/v1/", "quay.io/team", "*.example.com". */
  key: string;
  username: string;
  password: string;
}

/** What a docker config yielded: the usable entries, and what could not be used (never a value). */
export interface ParsedDockerConfig {
  entries: DockerConfigEntry[];
  problems: string[];
}

/** config.json holds entries under "auths"; the legacy .dockercfg holds them at the top level. */
export type DockerConfigFormat = 'config.json' | 'dockercfg';

/**
 * Parses a docker config document. Problems (not JSON, wrong shapes, an undecodable `auth`, a key that is
 * not a registry address) are reported per entry, naming the key, and the entry is skipped; the kubelet
 * would reject the whole document, here the good entries are kept and the caller decides.
 */
export function parseDockerConfig(text: string, format: DockerConfigFormat): ParsedDockerConfig {
  const problems: string[] = [];
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text around the error: never pass it on.
    return { entries: [], problems: ['is not valid JSON'] };
  }
  if (!isObject(doc)) return { entries: [], problems: ['is not a JSON object'] };
  let auths: unknown = doc;
  if (format === 'config.json') {
    if (doc.auths !== undefined && doc.auths !== null) {
      auths = doc.auths;
      if (!isObject(auths)) return { entries: [], problems: ['"auths" is not a JSON object'] };
    } else {
      // A config.json without "auths" (only credsStore, say) is valid and holds no credentials.
      if (looksLikeLegacy(doc)) problems.push('has no "auths" but entries at the top level (the legacy .dockercfg layout)');
      return { entries: [], problems };
    }
  }
  const entries: DockerConfigEntry[] = [];
  for (const [key, value] of Object.entries(auths as Record<string, unknown>)) {
    const entry = parseEntry(key, value, problems);
    if (entry) entries.push(entry);
  }
  return { entries, problems };
}

function parseEntry(key: string, value: unknown, problems: string[]): DockerConfigEntry | undefined {
  const name = `entry ${describeKey(key)}`;
  if (!parseRegistryKey(key)) {
    problems.push(`${name}: not a registry address (want host[:port][/path], optionally with https:// or http://)`);
    return undefined;
  }
  if (!isObject(value)) {
    problems.push(`${name}: is not a JSON object`);
    return undefined;
  }
  for (const field of ['username', 'password', 'auth', 'email']) {
    if (value[field] !== undefined && value[field] !== null && typeof value[field] !== 'string') {
      problems.push(`${name}: "${field}" is not a string`);
      return undefined;
    }
  }
  let username = (value.username as string | undefined) ?? '';
  let password = (value.password as string | undefined) ?? '';
  const auth = (value.auth as string | undefined) ?? '';
  if (auth !== '') {
    const decoded = decodeAuthField(auth);
    if (!decoded) {
      problems.push(`${name}: "auth" is not base64 of "username:password"`);
      return undefined;
    }
    ({ username, password } = decoded);
  }
  if (username === '' && password === '') return undefined;
  return { key, username, password };
}

/**
 * Decodes a docker config `auth` field: base64 (padded or not, as the kubelet accepts) of
 * "username:password", split at the first colon. Undefined when it is not that.
 */
export function decodeAuthField(auth: string): { username: string; password: string } | undefined {
  const s = auth.trim();
  const padded = s.endsWith('=');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(s)) return undefined;
  if (padded ? s.length % 4 !== 0 : s.length % 4 === 1) return undefined;
  const text = Buffer.from(s, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** A pull secret's usable entries, labelled with where they came from. */
export interface PullSecretContents {
  /** "secret <namespace>/<name>". */
  source: string;
  entries: DockerConfigEntry[];
  /** Each names the secret and what is wrong with it; never its content. */
  problems: string[];
}

/** "secret <namespace>/<name>", the `source` label of credentials from a secret. */
export function secretSource(secret: Pick<Secret, 'metadata'>): string {
  const ns = secret.metadata.namespace;
  return `secret ${ns ? `${ns}/` : ''}${secret.metadata.name ?? ''}`;
}

/**
 * Reads the docker config a pull secret carries. Undefined for a secret of another type (the kubelet
 * ignores those); a dockerconfigjson or dockercfg secret whose data is missing, not base64 or not a docker
 * config comes back with problems.
 */
export function readPullSecret(secret: Secret): PullSecretContents | undefined {
  let format: DockerConfigFormat;
  let dataKey: string;
  if (secret.type === SECRET_TYPE_DOCKER_CONFIG_JSON) {
    format = 'config.json';
    dataKey = DOCKER_CONFIG_JSON_KEY;
  } else if (secret.type === SECRET_TYPE_DOCKERCFG) {
    format = 'dockercfg';
    dataKey = DOCKERCFG_KEY;
  } else {
    return undefined;
  }
  const source = secretSource(secret);
  const fail = (what: string): PullSecretContents => ({ source, entries: [], problems: [`${source} (type ${secret.type}): ${what}`] });
  const encoded = secret.data?.[dataKey];
  if (typeof encoded !== 'string' || encoded === '') return fail(`has no data["${dataKey}"]`);
  const compact = encoded.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0) return fail(`data["${dataKey}"] is not base64`);
  const parsed = parseDockerConfig(Buffer.from(compact, 'base64').toString('utf8'), format);
  return { source, entries: parsed.entries, problems: parsed.problems.map((p) => `${source}: data["${dataKey}"] ${p}`) };
}

/** A registry key as the keyring matches it. */
export interface RegistryKey {
  /** Host, lowercased, Docker Hub aliases folded into "docker.io"; may hold globs. */
  host: string;
  /** The port as written, "" when none. */
  port: string;
  /** Repository path segments the image's path must start with; [] for a host-wide key. */
  path: string[];
  /** "host[:port][/path]": what the kubelet's index sorts. */
  index: string;
}

/**
 * Parses a docker config key the way the kubelet's keyring does: an optional https:// or http:// scheme
 * (dropped), host[:port], and a path whose leading /v1/ or /v2/ is dropped. Undefined when it is not a
 * registry address (empty host, a bad port, user info, another scheme, spaces).
 */
export function parseRegistryKey(key: string): RegistryKey | undefined {
  let rest = key;
  const scheme = /^https?:\/\//i.exec(rest);
  if (scheme) rest = rest.slice(scheme[0].length);
  if (rest === '' || /[\s@]|:\/\//.test(rest)) return undefined;
  rest = rest.replace(/[?#].*$/, '');
  const slash = rest.indexOf('/');
  const hostPort = slash < 0 ? rest : rest.slice(0, slash);
  let keyPath = slash < 0 ? '' : rest.slice(slash);
  if (keyPath.startsWith('/v1/') || keyPath.startsWith('/v2/')) keyPath = keyPath.slice(3);
  const hp = splitHostPort(hostPort);
  if (!hp || hp.host === '') return undefined;
  let host = hp.host.toLowerCase();
  if (hp.port === '' && DOCKER_HUB_ALIASES.has(host)) host = DEFAULT_DOMAIN;
  const segments = keyPath.split('/').filter((s) => s !== '');
  const index = `${host.includes(':') ? `[${host}]` : host}${hp.port ? `:${hp.port}` : ''}${segments.length ? `/${segments.join('/')}` : ''}`;
  return { host, port: hp.port, path: segments, index };
}

/** Splits "host", "host:port" or "[v6]:port"; undefined for a bad port or a bare IPv6 address. */
function splitHostPort(hostPort: string): { host: string; port: string } | undefined {
  let host = hostPort;
  let port = '';
  if (hostPort.startsWith('[')) {
    const end = hostPort.indexOf(']');
    if (end < 0) return undefined;
    host = hostPort.slice(1, end);
    const after = hostPort.slice(end + 1);
    if (after !== '') {
      if (!after.startsWith(':')) return undefined;
      port = after.slice(1);
      if (!/^\d{1,5}$/.test(port)) return undefined;
    }
    return { host, port };
  }
  const colon = hostPort.indexOf(':');
  if (colon >= 0) {
    host = hostPort.slice(0, colon);
    port = hostPort.slice(colon + 1);
    if (!/^\d{1,5}$/.test(port)) return undefined;
  }
  return { host, port };
}

/**
 * Whether a key matches an image's registry and repository: same port, same number of host labels with
 * each of the key's labels a glob over the image's, and the key's path a segment prefix of the image's.
 */
export function keyMatches(key: RegistryKey, image: Pick<ParsedReference, 'domain' | 'path'>): boolean {
  const target = splitHostPort(image.domain);
  if (!target) return false;
  let targetHost = target.host.toLowerCase();
  if (target.port === '' && DOCKER_HUB_ALIASES.has(targetHost)) targetHost = DEFAULT_DOMAIN;
  if (key.port !== target.port) return false;
  const keyLabels = key.host.split('.');
  const targetLabels = targetHost.split('.');
  if (keyLabels.length !== targetLabels.length) return false;
  if (!keyLabels.every((label, i) => globMatch(label, targetLabels[i]!))) return false;
  const imagePath = image.path.split('/');
  return key.path.length <= imagePath.length && key.path.every((seg, i) => seg === imagePath[i]);
}

/**
 * Go's path.Match for one host label: `*` any run of characters, `?` one, `[a-z]` / `[^a-z]` a class,
 * `\` escapes. A malformed pattern matches nothing (the kubelet treats its error as no match).
 */
export function globMatch(pattern: string, text: string): boolean {
  const re = globToRegExp(pattern);
  return re !== undefined && re.test(text);
}

function globToRegExp(pattern: string): RegExp | undefined {
  let out = '';
  let i = 0;
  // One character of a class, `\` escaping the next; a bare "-" or "]" here is malformed, as in Go.
  const classChar = (): string | undefined => {
    let c = pattern[i];
    if (c === undefined || c === '-' || c === ']') return undefined;
    if (c === '\\') c = pattern[++i];
    if (c === undefined) return undefined;
    i++;
    return c;
  };
  while (i < pattern.length) {
    const c = pattern[i++]!;
    if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '\\') {
      if (i >= pattern.length) return undefined;
      out += escapeRegExp(pattern[i++]!);
    } else if (c === '[') {
      let cls = '';
      if (pattern[i] === '^') {
        cls = '^';
        i++;
      }
      let ranges = 0;
      for (;;) {
        if (i >= pattern.length) return undefined;
        if (pattern[i] === ']' && ranges > 0) break;
        const lo = classChar();
        if (lo === undefined) return undefined;
        let hi = lo;
        if (pattern[i] === '-') {
          i++;
          const h = classChar();
          if (h === undefined) return undefined;
          hi = h;
        }
        if (hi < lo) return undefined; // an empty range: matches nothing
        cls += lo === hi ? escapeRegExp(lo) : `${escapeRegExp(lo)}-${escapeRegExp(hi)}`;
        ranges++;
      }
      i++; // the closing ]
      out += `[${cls}]`;
    } else out += escapeRegExp(c);
  }
  return new RegExp(`^${out}$`);
}

function escapeRegExp(c: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(c) ? `\\${c}` : c;
}

interface KeyringItem {
  key: RegistryKey;
  credential: RegistryCredential;
}

/**
 * Credentials indexed by registry key, looked up by image (the kubelet's BasicDockerKeyring). Entries
 * whose key is not a registry address are skipped (parseDockerConfig has already reported them).
 */
export class CredentialKeyring {
  private readonly items: KeyringItem[] = [];

  /** Adds entries, each credential labelled with `source` ("secret default/regcred"). */
  add(entries: Iterable<DockerConfigEntry>, source?: string): this {
    for (const e of entries) {
      const key = parseRegistryKey(e.key);
      if (!key) continue;
      const credential: RegistryCredential = { username: e.username, password: e.password };
      if (source !== undefined) credential.source = source;
      this.items.push({ key, credential });
    }
    return this;
  }

  /** How many credentials it holds. */
  get size(): number {
    return this.items.length;
  }

  /**
   * The credentials whose key matches `image`, most specific key first (reverse string order of the
   * keys, as the kubelet's index); under one key, in the order added. Throws InvalidImageNameError for a
   * reference that does not parse.
   */
  lookup(image: string | Pick<ParsedReference, 'domain' | 'path'>): RegistryCredential[] {
    const ref = typeof image === 'string' ? parseReference(image) : image;
    return this.items
      .filter((it) => keyMatches(it.key, ref))
      .sort((a, b) => (a.key.index > b.key.index ? -1 : a.key.index < b.key.index ? 1 : 0))
      .map((it) => ({ ...it.credential }));
  }
}

export interface PodCredentialsOptions {
  /** The pod's namespace, for messages about secrets that are not there. */
  namespace?: string;
  /** The names in pod.spec.imagePullSecrets, in the pod's order. */
  imagePullSecrets: readonly string[];
  /** The secret of that name in the pod's namespace, or undefined when there is none. */
  getSecret: (name: string) => Secret | undefined;
  /** The node's credentials (loadNodeKeyring), tried after the pod's. */
  nodeKeyring?: CredentialKeyring;
  image: string | Pick<ParsedReference, 'domain' | 'path'>;
}

export interface PodCredentials {
  /** To try in order; empty means an anonymous pull. Identical username/password pairs appear once. */
  credentials: RegistryCredential[];
  /** Listed secrets that do not exist: the kubelet warns and pulls on. */
  warnings: string[];
  /**
   * Pull secrets that exist but could not be read in full, naming the secret and what is wrong. The
   * kubelet fails the pull on a malformed pull secret (ErrImagePull); the good entries are still here.
   */
  problems: string[];
}

/**
 * The credentials to try for one of a pod's images, as the kubelet's MakeDockerKeyring unions them: all
 * of the pod's pull secrets in one keyring (most specific key first; for equal keys, in the pod's order
 * of secrets), then the node's keyring.
 */
export function lookupPodCredentials(opts: PodCredentialsOptions): PodCredentials {
  const warnings: string[] = [];
  const problems: string[] = [];
  const podKeyring = new CredentialKeyring();
  for (const name of opts.imagePullSecrets) {
    if (!name) continue;
    const secret = opts.getSecret(name);
    if (!secret) {
      const full = opts.namespace ? `${opts.namespace}/${name}` : name;
      warnings.push(`pull secret "${full}" not found; pulling without it may fail`);
      continue;
    }
    const contents = readPullSecret(secret);
    if (!contents) continue;
    problems.push(...contents.problems);
    podKeyring.add(contents.entries, contents.source);
  }
  const ref = typeof opts.image === 'string' ? parseReference(opts.image) : opts.image;
  const all = [...podKeyring.lookup(ref), ...(opts.nodeKeyring?.lookup(ref) ?? [])];
  return { credentials: dedupeCredentials(all), warnings, problems };
}

/** Keeps the first of credentials with the same username and password (trying them twice gains nothing). */
export function dedupeCredentials(creds: readonly RegistryCredential[]): RegistryCredential[] {
  const seen = new Set<string>();
  return creds.filter((c) => {
    const id = JSON.stringify([c.username, c.password]);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** The node-level credentials file: `<dataDir>/config.json`. */
export function nodeConfigPath(dataDir: string): string {
  return path.join(dataDir, NODE_CONFIG_FILE);
}

/**
 * Reads the node's config.json now (so edits apply to the next pull). [] when the file does not exist;
 * throws InternalError naming the file and the problems (never its content) when it cannot be read or
 * any entry is malformed. The kubelet skips such a file silently; here a broken file is loud.
 */
export async function readNodeCredentials(dataDir: string): Promise<DockerConfigEntry[]> {
  const file = nodeConfigPath(dataDir);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return [];
    throw new InternalError(`read node credentials ${file}: ${code ?? 'failed'}`, { cause: e });
  }
  const parsed = parseDockerConfig(text, 'config.json');
  if (parsed.problems.length > 0) {
    throw new InternalError(`node credentials ${file} is malformed: ${parsed.problems.join('; ')}`);
  }
  return parsed.entries;
}

/** A keyring of the node's config.json as it is now, its credentials labelled "node config <file>". */
export async function loadNodeKeyring(dataDir: string): Promise<CredentialKeyring> {
  const entries = await readNodeCredentials(dataDir);
  return new CredentialKeyring().add(entries, `node config ${nodeConfigPath(dataDir)}`);
}

/** True when some top-level value looks like a registry entry: a config.json written in the old layout. */
function looksLikeLegacy(doc: Record<string, unknown>): boolean {
  return Object.values(doc).some((v) => isObject(v) && ('auth' in v || 'username' in v));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A key for messages: quoted, user info (which might be a password) blanked, long ones cut. */
function describeKey(key: string): string {
  const safe = key.replace(/^((?:[a-z]+:\/\/)?)[^/]*@/i, '$1***@');
  return JSON.stringify(safe.length > 100 ? `${safe.slice(0, 100)}…` : safe);
}
