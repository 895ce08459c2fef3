// A real container registry on loopback for integration/e2e tests and the puller benchmark: Debian's
// docker-registry (distribution 2.8.2) over TLS from a throwaway CA, optionally behind htpasswd basic auth,
// filled with images built here by hand (OCI layout, deterministic GNU tar, gzip/zstd/uncompressed
// layers) and pushed with skopeo. See registry-proxy.ts for bearer-token auth and fault injection.
//
// API
//   startRegistry({auth?, tmpDir?, logLevel?}) -> Registry
//     Temp dir with a CA + serving cert (127.0.0.1, localhost), config.yml, htpasswd; runs
//     `docker-registry serve` on 127.0.0.1:<free port> (own process group, stderr in registry.log) and
//     waits for GET /v2/ (401 counts as up). Registry:
//       host "127.0.0.1:PORT", url "https://127.0.0.1:PORT", ref("repo:tag") -> "127.0.0.1:PORT/repo:tag"
//       caCertPem, caFile, certDir (holds ONLY ca.crt, plus client.cert/.key with requireClientCert:
//       skopeo's --cert-dir), clientCert (requireClientCert: mutual TLS), tls (serving cert+key, valid
//       for any loopback server on 127.0.0.1/localhost), credentials, dir, dataDir, logFile, pid
//       writeCertsD(dir)        writes dir/HOST:PORT/ca.crt (docker/containerd certs.d layout)
//       push(src, "repo:tag")   skopeo copy --preserve-digests [--all] -> digest of the manifest AS STORED
//       readManifest(ref)       GET the manifest (every Accept type) -> {digest, mediaType, bytes}
//       blobPath(digest)        the blob's file in the registry's filesystem storage
//       corruptBlob(digest)     flips the stored bytes (same length): clients see a digest mismatch
//       basicAuth()             "Basic …" for the credentials (undefined without auth)
//       stop()                  SIGTERM (then SIGKILL) by PID, waits for exit, removes the temp dir
//   buildImage({layout, tag?, layers, config?, platform? | index?, format?, compression?, gzipLevel?}) -> BuiltImage
//     Writes one image (or an image index with one image per platform, each with an extra top layer
//     /platform.txt holding "os/arch[/variant]") into an OCI layout dir, tagged `tag` in index.json.
//     Layers: {files: [{path, content | randomBytes, mode?, type?: file|dir|symlink}]} or {dir}, each
//     gzip (default) | zstd | none. Deterministic: the same options give the same digests. The result
//     holds the top digest and bytes, and per image the manifest, config and layers (digest, size, diffId).
//     format 'docker' uses Docker schema 2 media types (skopeo's oci: transport ignores those entries;
//     push() sends them through a dir: view instead).
//   buildBusyboxImage({layout, tag?, extraLayers?, ...}) -> BuiltImage
//     Layer 1: a busybox rootfs (the host's static /usr/bin/busybox, applet links as src/images/busybox.ts
//     makes them); then `extraLayers`. Cmd ["sh"], PATH set: e2e tests can run pods from it.
//   rawRequest(url, {ca, method?, headers?, body?, timeoutMs?, partial?}) -> {status, headers, body}
//     One plain node:https request (no redirects followed). With `partial`, a body cut short (socket
//     destroyed, timeout) resolves with what arrived and `incomplete: true` instead of rejecting.
//   MEDIA_TYPES, MANIFEST_ACCEPT, platformString(p), parsePlatform(s), sha256Digest(bytes), splitRef(ref)
//
// Every registry process and its temp dir are also removed at process exit, SIGINT or SIGTERM (the
// registry's own process group does not get the terminal's Ctrl-C) if a test could not call stop().

import { spawn } from 'node:child_process';
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, rmSync } from 'node:fs';
import fs from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { hashFile } from '../../src/images/blobs.js';
import { BUSYBOX_PATH, DEFAULT_PATH_ENV, writeBusyboxRootfs } from '../../src/images/busybox.js';
import { HostExec } from '../../src/system/exec.js';

// ---------------------------------------------------------------------------------------------- types

export interface Credentials {
  username: string;
  password: string;
}

export interface StartRegistryOptions {
  /** htpasswd (bcrypt) basic auth with these credentials; no auth when absent. */
  auth?: Credentials;
  /** Parent of the temp dir (default os.tmpdir()). */
  tmpDir?: string;
  /** docker-registry's log level (default warn). */
  logLevel?: 'error' | 'warn' | 'info' | 'debug';
  /** Mutual TLS: the registry demands a client certificate signed by its CA (one is made: `clientCert`). */
  requireClientCert?: boolean;
}

export interface PemPair {
  certFile: string;
  keyFile: string;
  certPem: string;
  keyPem: string;
}

export interface StoredManifest {
  /** sha256 of the bytes served. */
  digest: string;
  mediaType: string;
  bytes: Buffer;
  /** The Docker-Content-Digest header, when sent. */
  headerDigest?: string;
}

export interface PushOptions {
  /** skopeo --all: every platform of an index (default true; false pushes only the host's platform). */
  all?: boolean;
}

export interface Registry {
  host: string;
  url: string;
  /** `${host}/${repoAndTag}`, an image reference for pods and pullers. */
  ref(repoAndTag: string): string;
  caCertPem: string;
  caFile: string;
  /** A dir holding only ca.crt (skopeo's --cert-dir fails on a CA key beside it). */
  certDir: string;
  /** The registry's serving cert and key (SAN IP:127.0.0.1, DNS:localhost), signed by the CA. */
  tls: PemPair;
  /** With requireClientCert: the client certificate the registry accepts (also in certDir as client.cert/.key). */
  clientCert?: PemPair;
  credentials?: Credentials;
  dir: string;
  dataDir: string;
  logFile: string;
  pid: number;
  /** Writes `${dir}/${host}/ca.crt`; returns that path. */
  writeCertsD(dir: string): Promise<string>;
  /** Pushes a built image (or any skopeo source: "oci:DIR:TAG", "oci-archive:F", "dir:D", a layout dir, an archive file) to repo:tag; returns the stored manifest digest. */
  push(src: BuiltImage | string, repoAndTag: string, opts?: PushOptions): Promise<string>;
  /** GET /v2/<repo>/manifests/<tag|digest> with every manifest Accept type and the credentials; throws unless 200. */
  readManifest(repoAndRef: string): Promise<StoredManifest>;
  blobPath(digest: string): string;
  /** XORs bytes [offset, offset+length) of the stored blob (default: all of it) with 0xff; the length stays. */
  corruptBlob(digest: string, opts?: { offset?: number; length?: number }): Promise<void>;
  basicAuth(): string | undefined;
  stop(): Promise<void>;
}

export type Compression = 'gzip' | 'zstd' | 'none';
export type ImageFormat = 'oci' | 'docker';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** One entry of a layer. Parent directories are made (0755) and included. */
export interface FileSpec {
  /** Relative to the image root ("etc/motd"; a leading "/" is ignored). */
  path: string;
  type?: 'file' | 'dir' | 'symlink';
  /** File content. */
  content?: string | Buffer;
  /** File of this many pseudo-random (incompressible) bytes, deterministic per `seed` (default: path). */
  randomBytes?: number;
  seed?: string;
  /** Symlink target. */
  target?: string;
  /** Default 0644 for files, 0755 for dirs. */
  mode?: number;
}

export type LayerSpec =
  | { files: FileSpec[]; compression?: Compression; gzipLevel?: number; comment?: string }
  | { dir: string; compression?: Compression; gzipLevel?: number; comment?: string };

export interface ImageConfigSpec {
  env?: string[];
  cmd?: string[];
  entrypoint?: string[];
  workingDir?: string;
  user?: string;
  labels?: Record<string, string>;
}

export interface BuildImageOptions {
  /** OCI layout dir: created, or added to (not concurrently) when it exists. */
  layout: string;
  /** org.opencontainers.image.ref.name in index.json (default "latest"); an older entry of that name is replaced. */
  tag?: string;
  /** Shared by every platform, or a function of the platform. */
  layers: LayerSpec[] | ((platform: Platform) => LayerSpec[]);
  config?: ImageConfigSpec;
  /** Single image's platform (default linux and the host's architecture). */
  platform?: Platform | string;
  /** Build an index with one image per platform ("linux/arm64/v8" or objects); each gets a /platform.txt layer. */
  index?: (Platform | string)[];
  format?: ImageFormat;
  /** Default layer compression (gzip). zstd needs format 'oci'. */
  compression?: Compression;
  /**
   * Default zlib level of gzip layers (6). Node deflates incompressible data at ~25 MB/s at any level but
   * 0 (stored blocks, still a valid gzip stream: ~1 GB/s) — use 0 for big randomBytes layers.
   */
  gzipLevel?: number;
}

export interface BuiltBlob {
  mediaType: string;
  digest: string;
  size: number;
}

export interface BuiltLayer extends BuiltBlob {
  /** sha256 of the uncompressed tar. */
  diffId: string;
  uncompressedSize: number;
  compression: Compression;
}

export interface BuiltManifest extends BuiltBlob {
  bytes: Buffer;
  platform: Platform;
  config: BuiltBlob & { bytes: Buffer };
  layers: BuiltLayer[];
}

export interface BuiltImage extends BuiltBlob {
  layout: string;
  tag: string;
  format: ImageFormat;
  /** The top-level object: the image manifest, or the index / manifest list. */
  bytes: Buffer;
  isIndex: boolean;
  /** The single image, or one per platform in index order. */
  manifests: BuiltManifest[];
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** With `partial`: the body stopped before its end (connection destroyed or timed out). */
  incomplete?: boolean;
  error?: Error;
}

export interface RawRequestOptions {
  ca?: string;
  /** A client certificate and key (PEM), for a registry that demands one. */
  cert?: string;
  key?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Socket idle timeout (default 15 s). */
  timeoutMs?: number;
  partial?: boolean;
}

// ---------------------------------------------------------------------------------------- constants

export const MEDIA_TYPES = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

/** Every manifest type a puller accepts. distribution 2.8 answers 404 for an OCI manifest or index whose type is not in Accept. */
export const MANIFEST_ACCEPT = [MEDIA_TYPES.ociIndex, MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifestList, MEDIA_TYPES.dockerManifest].join(', ');

const TAR_FLAGS = ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '--format=gnu'];
const EPOCH = '1970-01-01T00:00:00Z';

export const sha256Digest = (b: Buffer | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export function platformString(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

export function parsePlatform(p: Platform | string): Platform {
  if (typeof p !== 'string') return p;
  const [osName, architecture, variant] = p.split('/');
  if (!osName || !architecture) throw new Error(`bad platform ${p} (want os/arch[/variant])`);
  return variant ? { os: osName, architecture, variant } : { os: osName, architecture };
}

function hostPlatform(): Platform {
  const arch: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  return { os: 'linux', architecture: arch[process.arch] ?? process.arch };
}

// ----------------------------------------------------------------------------------------- helpers

interface RunResult {
  stdout: string;
  stderr: string;
}

/** Runs a command; rejects with its stderr when it fails. */
function run(cmd: string, args: string[], opts: { cwd?: string; input?: string | Buffer } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const stdout = Buffer.concat(out).toString();
      const stderr = Buffer.concat(err).toString();
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`${cmd} ${args.join(' ')}: exit ${code ?? signal}: ${stderr.trim() || stdout.trim()}`));
    });
    child.stdin.end(opts.input);
  });
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', resolve);
  });
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}


function hexOf(digest: string): string {
  const m = /^sha256:([a-f0-9]{64})$/.exec(digest);
  if (!m) throw new Error(`not a sha256 digest: ${digest}`);
  return m[1]!;
}

/** "repo/name:tag" or "repo/name@sha256:…" -> [name, reference]. */
export function splitRef(repoAndRef: string): [string, string] {
  const at = repoAndRef.indexOf('@');
  if (at >= 0) return [repoAndRef.slice(0, at), repoAndRef.slice(at + 1)];
  const colon = repoAndRef.lastIndexOf(':');
  if (colon > repoAndRef.lastIndexOf('/')) return [repoAndRef.slice(0, colon), repoAndRef.slice(colon + 1)];
  return [repoAndRef, 'latest'];
}

export function rawRequest(url: string, opts: RawRequestOptions = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    const req = https.request(url, { method: opts.method ?? 'GET', headers, ca: opts.ca, ...(opts.cert ? { cert: opts.cert, key: opts.key } : {}), agent: false });
    let settled = false;
    const chunks: Buffer[] = [];
    let status = 0;
    let resHeaders: IncomingHttpHeaders = {};
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      if (!err) resolve({ status, headers: resHeaders, body: Buffer.concat(chunks) });
      else if (opts.partial && status) resolve({ status, headers: resHeaders, body: Buffer.concat(chunks), incomplete: true, error: err });
      else reject(err);
    };
    req.setTimeout(opts.timeoutMs ?? 15_000, () => req.destroy(new Error(`timeout after ${opts.timeoutMs ?? 15_000} ms: ${url}`)));
    req.on('error', (e) => finish(e));
    req.on('response', (res) => {
      status = res.statusCode ?? 0;
      resHeaders = res.headers;
      res.on('data', (b: Buffer) => chunks.push(b));
      res.on('error', (e) => finish(e));
      res.on('end', () => (res.complete ? finish() : finish(new Error('response ended early'))));
      res.on('close', () => {
        if (!res.complete) finish(new Error('connection closed mid-body'));
      });
    });
    req.end(opts.body);
  });
}

// ----------------------------------------------------------------------------- process-exit safety

// The registry runs in its own process group, so a Ctrl-C (SIGINT to the foreground group) or a SIGTERM
// to the test process would not reach it: kill it on those too, then let the signal do what it would.
const live = new Map<number, string>();
let exitHookInstalled = false;
function killAllSync(): void {
  for (const [p, d] of live) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // already gone
    }
    rmSync(d, { recursive: true, force: true });
  }
  live.clear();
}
function onSignal(sig: NodeJS.Signals): void {
  killAllSync();
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
  if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
}
function track(pid: number, dir: string): void {
  live.set(pid, dir);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', killAllSync);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

// -------------------------------------------------------------------------------------------- PKI

async function makePki(dir: string, withClient = false): Promise<{ caFile: string; tls: PemPair; client?: PemPair }> {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const caFile = path.join(dir, 'ca.crt');
  const caKey = path.join(dir, 'ca.key');
  await run('openssl', ['req', '-x509', ...ec, '-keyout', caKey, '-out', caFile, '-days', '7', '-subj', '/CN=peapod test registry CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  const certFile = path.join(dir, 'tls.crt');
  const keyFile = path.join(dir, 'tls.key');
  const csr = path.join(dir, 'tls.csr');
  const ext = path.join(dir, 'tls.ext');
  await run('openssl', ['req', ...ec, '-keyout', keyFile, '-out', csr, '-subj', '/CN=127.0.0.1']);
  await fs.writeFile(ext, 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n');
  await run('openssl', ['x509', '-req', '-in', csr, '-CA', caFile, '-CAkey', caKey, '-set_serial', `0x${randomBytes(8).toString('hex')}`,
    '-days', '7', '-extfile', ext, '-out', certFile]);
  await fs.rm(csr);
  await fs.rm(ext);
  let client: PemPair | undefined;
  if (withClient) {
    const cCert = path.join(dir, 'client.cert');
    const cKey = path.join(dir, 'client.key');
    await run('openssl', ['req', ...ec, '-keyout', cKey, '-out', csr, '-subj', '/CN=peapod test client']);
    await fs.writeFile(ext, 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n');
    await run('openssl', ['x509', '-req', '-in', csr, '-CA', caFile, '-CAkey', caKey, '-set_serial', `0x${randomBytes(8).toString('hex')}`, '-days', '7', '-extfile', ext, '-out', cCert]);
    await fs.rm(csr);
    await fs.rm(ext);
    client = { certFile: cCert, keyFile: cKey, certPem: await fs.readFile(cCert, 'utf8'), keyPem: await fs.readFile(cKey, 'utf8') };
  }
  return { caFile, tls: { certFile, keyFile, certPem: await fs.readFile(certFile, 'utf8'), keyPem: await fs.readFile(keyFile, 'utf8') }, ...(client ? { client } : {}) };
}

// --------------------------------------------------------------------------------------- registry

export async function startRegistry(opts: StartRegistryOptions = {}): Promise<Registry> {
  const dir = await fs.mkdtemp(path.join(opts.tmpDir ?? os.tmpdir(), 'peapod-registry-'));
  try {
    return await startIn(dir, opts);
  } catch (err) {
    await fs.rm(dir, { recursive: true, force: true });
    throw err;
  }
}

async function startIn(dir: string, opts: StartRegistryOptions): Promise<Registry> {
  const { caFile, tls, client } = await makePki(dir, opts.requireClientCert === true);
  const caCertPem = await fs.readFile(caFile, 'utf8');
  const certDir = path.join(dir, 'certs');
  await fs.mkdir(certDir);
  await fs.writeFile(path.join(certDir, 'ca.crt'), caCertPem);
  if (client) {
    // skopeo's --cert-dir pairs client.cert with client.key (docker's layout).
    await fs.writeFile(path.join(certDir, 'client.cert'), client.certPem);
    await fs.writeFile(path.join(certDir, 'client.key'), client.keyPem);
  }
  const clientTls = client ? { cert: client.certPem, key: client.keyPem } : {};
  const dataDir = path.join(dir, 'data');
  await fs.mkdir(dataDir);
  const logFile = path.join(dir, 'registry.log');
  const htpasswd = path.join(dir, 'htpasswd');
  if (opts.auth) await run('htpasswd', ['-Bbc', htpasswd, opts.auth.username, opts.auth.password]);
  const q = JSON.stringify; // a JSON string is a valid YAML scalar

  let port = 0;
  let pid = 0;
  let exited: Promise<void> = Promise.resolve();
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    const config = [
      'version: 0.1',
      `log: {level: ${opts.logLevel ?? 'warn'}}`,
      'storage:',
      `  filesystem: {rootdirectory: ${q(dataDir)}}`,
      '  delete: {enabled: true}',
      '  redirect: {disable: true}',
      '  maintenance: {uploadpurging: {enabled: false}}',
      'http:',
      `  addr: ${q(`127.0.0.1:${port}`)}`,
      `  secret: ${q(randomBytes(16).toString('hex'))}`,
      `  tls: {certificate: ${q(tls.certFile)}, key: ${q(tls.keyFile)}${client ? `, clientcas: [${q(caFile)}]` : ''}}`,
      'health: {storagedriver: {enabled: false}}',
      ...(opts.auth ? ['auth:', `  htpasswd: {realm: "test", path: ${q(htpasswd)}}`] : []),
      '',
    ].join('\n');
    const configFile = path.join(dir, 'config.yml');
    await fs.writeFile(configFile, config);
    const log = await fs.open(logFile, 'a');
    const child = spawn('docker-registry', ['serve', configFile], { cwd: dir, detached: true, stdio: ['ignore', log.fd, log.fd] });
    // Listeners first: 'error' and 'exit' may fire while we await below.
    const failed = new Promise<Error>((resolve) => child.once('error', resolve));
    let gone = false;
    exited = new Promise<void>((resolve) => child.once('exit', () => {
      gone = true;
      if (child.pid !== undefined) live.delete(child.pid);
      resolve();
    }));
    await log.close();
    if (child.pid === undefined) throw await failed; // not spawned (ENOENT...)
    pid = child.pid;
    if (!gone) track(pid, dir);
    child.unref();
    const url = `https://127.0.0.1:${port}/v2/`;
    const deadline = Date.now() + 15_000;
    let up = false;
    while (!gone && Date.now() < deadline) {
      const r = await rawRequest(url, { ca: caCertPem, ...clientTls, timeoutMs: 1000 }).catch(() => undefined);
      if (r && (r.status === 200 || r.status === 401)) {
        up = true;
        break;
      }
      await new Promise((r2) => setTimeout(r2, 50));
    }
    if (up) break;
    const text = await fs.readFile(logFile, 'utf8').catch(() => '');
    if (!gone) {
      await killAndWait(pid, exited);
      throw new Error(`docker-registry did not answer on ${url} within 15 s; log:\n${text}`);
    }
    if (attempt < 3 && /address already in use/.test(text)) continue;
    throw new Error(`docker-registry exited at start; log:\n${text}`);
  }

  const host = `127.0.0.1:${port}`;
  const url = `https://${host}`;
  const credentials = opts.auth ? { ...opts.auth } : undefined;
  const basicAuth = () => (credentials ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}` : undefined);
  const authHeaders = (): Record<string, string> => {
    const a = basicAuth();
    return a ? { authorization: a } : {};
  };
  const blobPath = (digest: string) => {
    const hex = hexOf(digest);
    return path.join(dataDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
  };
  let stopped: Promise<void> | undefined;

  const readManifest = async (repoAndRef: string): Promise<StoredManifest> => {
    const [name, reference] = splitRef(repoAndRef);
    const r = await rawRequest(`${url}/v2/${name}/manifests/${reference}`, { ca: caCertPem, ...clientTls, headers: { accept: MANIFEST_ACCEPT, ...authHeaders() } });
    if (r.status !== 200) throw new Error(`GET manifest ${repoAndRef}: ${r.status} ${r.body.toString().slice(0, 300)}`);
    const headerDigest = r.headers['docker-content-digest'];
    return {
      digest: sha256Digest(r.body),
      mediaType: String(r.headers['content-type'] ?? ''),
      bytes: r.body,
      ...(typeof headerDigest === 'string' ? { headerDigest } : {}),
    };
  };

  const push = async (src: BuiltImage | string, repoAndTag: string, popts: PushOptions = {}): Promise<string> => {
    let scratch: string | undefined;
    try {
      let source: string;
      if (typeof src !== 'string') {
        if (src.format === 'oci') source = `oci:${src.layout}:${src.tag}`;
        else {
          scratch = await fs.mkdtemp(path.join(dir, 'push-'));
          await writeDirView(src, scratch);
          source = `dir:${scratch}`;
        }
      } else if (/^(oci|oci-archive|dir|docker-archive|docker):/.test(src)) source = src;
      else source = (await fs.stat(src)).isDirectory() ? `oci:${src}` : `oci-archive:${src}`;
      const args = ['copy', '--quiet', '--preserve-digests', '--dest-cert-dir', certDir];
      if (popts.all ?? true) args.push('--all');
      // --dest-no-creds: no lookup in root's auth.json / docker config for an open registry.
      args.push(...(credentials ? ['--dest-creds', `${credentials.username}:${credentials.password}`] : ['--dest-no-creds']));
      args.push(source, `docker://${host}/${repoAndTag}`);
      await run('skopeo', args);
    } finally {
      if (scratch) await fs.rm(scratch, { recursive: true, force: true });
    }
    const stored = await readManifest(repoAndTag);
    return stored.digest;
  };

  return {
    host,
    url,
    ref: (repoAndTag) => `${host}/${repoAndTag}`,
    caCertPem,
    caFile,
    certDir,
    tls,
    ...(client ? { clientCert: client } : {}),
    ...(credentials ? { credentials } : {}),
    dir,
    dataDir,
    logFile,
    pid,
    async writeCertsD(certsD) {
      const d = path.join(certsD, host);
      await fs.mkdir(d, { recursive: true });
      const f = path.join(d, 'ca.crt');
      await fs.writeFile(f, caCertPem);
      return f;
    },
    push,
    readManifest,
    blobPath,
    async corruptBlob(digest, c = {}) {
      const file = blobPath(digest);
      const fh = await fs.open(file, 'r+');
      try {
        const { size } = await fh.stat();
        const offset = c.offset ?? 0;
        const length = Math.min(c.length ?? size - offset, size - offset);
        if (length <= 0) throw new Error(`corruptBlob ${digest}: nothing to corrupt at ${offset} (size ${size})`);
        const buf = Buffer.alloc(length);
        await fh.read(buf, 0, length, offset);
        for (let i = 0; i < buf.length; i++) buf[i] = buf[i]! ^ 0xff;
        await fh.write(buf, 0, length, offset);
      } finally {
        await fh.close();
      }
    },
    basicAuth,
    stop() {
      stopped ??= (async () => {
        await killAndWait(pid, exited);
        await fs.rm(dir, { recursive: true, force: true });
        live.delete(pid);
      })();
      return stopped;
    },
  };
}

async function killAndWait(pid: number, exited: Promise<void>): Promise<void> {
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(pid, s);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    exited.then(() => false),
    new Promise<boolean>((r) => (timer = setTimeout(() => r(true), 5000))),
  ]);
  clearTimeout(timer);
  if (timedOut) {
    signal('SIGKILL');
    await exited;
  }
}

/** containers/image's dir: transport for a docker-format image: blobs by hex, manifest.json, <hex>.manifest.json per instance. */
async function writeDirView(img: BuiltImage, out: string): Promise<void> {
  const blobs = path.join(img.layout, 'blobs', 'sha256');
  const place = async (digest: string, name: string) => {
    const from = path.join(blobs, hexOf(digest));
    const to = path.join(out, name);
    await fs.link(from, to).catch(async (e: NodeJS.ErrnoException) => {
      if (e.code === 'EEXIST') return;
      await fs.copyFile(from, to);
    });
  };
  await fs.writeFile(path.join(out, 'version'), 'Directory Transport Version: 1.1\n');
  await fs.writeFile(path.join(out, 'manifest.json'), img.bytes);
  for (const m of img.manifests) {
    if (img.isIndex) await place(m.digest, `${hexOf(m.digest)}.manifest.json`);
    await place(m.config.digest, hexOf(m.config.digest));
    for (const l of m.layers) await place(l.digest, hexOf(l.digest));
  }
}

// ------------------------------------------------------------------------------------------ images

function layerMediaType(format: ImageFormat, c: Compression): string {
  if (format === 'docker') {
    if (c === 'zstd') throw new Error('zstd layers need format oci (Docker schema 2 has no zstd media type)');
    return c === 'gzip' ? MEDIA_TYPES.dockerLayerGzip : MEDIA_TYPES.dockerLayer;
  }
  return c === 'gzip' ? MEDIA_TYPES.ociLayerGzip : c === 'zstd' ? MEDIA_TYPES.ociLayerZstd : MEDIA_TYPES.ociLayer;
}

async function writeRandom(file: string, size: number, seed: string, mode: number): Promise<void> {
  const key = createHash('sha256').update(seed).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  const zeros = Buffer.alloc(1 << 20);
  const ws = createWriteStream(file, { mode });
  await pipeline(
    (async function* () {
      for (let left = size; left > 0; left -= zeros.length) yield cipher.update(left >= zeros.length ? zeros : zeros.subarray(0, left));
    })(),
    ws,
  );
}

async function stageFiles(root: string, files: FileSpec[]): Promise<void> {
  for (const f of files) {
    const rel = path.posix.normalize(f.path.replace(/^\/+/, ''));
    if (!rel || rel === '.' || rel.startsWith('..')) throw new Error(`bad layer path ${f.path}`);
    const dest = path.join(root, rel);
    await fs.mkdir(path.dirname(dest), { recursive: true });
    const type = f.type ?? 'file';
    if (type === 'dir') {
      await fs.mkdir(dest, { recursive: true });
      await fs.chmod(dest, f.mode ?? 0o755);
    } else if (type === 'symlink') {
      if (!f.target) throw new Error(`symlink ${f.path} needs a target`);
      await fs.symlink(f.target, dest);
    } else {
      if (f.randomBytes !== undefined) await writeRandom(dest, f.randomBytes, f.seed ?? rel, f.mode ?? 0o644);
      else await fs.writeFile(dest, f.content ?? '');
      await fs.chmod(dest, f.mode ?? 0o644);
    }
  }
}

/** Deterministic tar of dir's entries (no "./" member, as docker's layers). */
async function tarDir(dir: string, out: string): Promise<void> {
  const members = (await fs.readdir(dir)).sort();
  if (members.length === 0) await run('tar', [...TAR_FLAGS, '-cf', out, '-T', '/dev/null']);
  else await run('tar', [...TAR_FLAGS, '-cf', out, '-C', dir, '--', ...members]);
}

interface BuildCtx {
  layout: string;
  blobs: string;
  work: string;
  format: ImageFormat;
  compression: Compression;
  gzipLevel: number;
  cache: Map<string, BuiltLayer>;
  n: number;
}

async function putBlob(ctx: BuildCtx, bytes: Buffer): Promise<{ digest: string; size: number }> {
  const digest = sha256Digest(bytes);
  await fs.writeFile(path.join(ctx.blobs, hexOf(digest)), bytes);
  return { digest, size: bytes.length };
}

async function putBlobFile(ctx: BuildCtx, file: string): Promise<{ digest: string; size: number }> {
  const d = await hashFile(file);
  const dest = path.join(ctx.blobs, hexOf(d.digest));
  await fs.rename(file, dest).catch(async (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EXDEV') throw e;
    const tmp = path.join(ctx.blobs, `.tmp-${randomBytes(6).toString('hex')}`);
    await fs.copyFile(file, tmp);
    await fs.rename(tmp, dest);
  });
  return d;
}

async function buildLayer(ctx: BuildCtx, spec: LayerSpec): Promise<BuiltLayer> {
  const compression = spec.compression ?? ctx.compression;
  const gzipLevel = spec.gzipLevel ?? ctx.gzipLevel;
  const key = JSON.stringify({ spec, compression, gzipLevel });
  const cached = ctx.cache.get(key);
  if (cached) return cached;
  const n = ctx.n++;
  const tar = path.join(ctx.work, `layer${n}.tar`);
  if ('dir' in spec) await tarDir(spec.dir, tar);
  else {
    const root = path.join(ctx.work, `layer${n}`);
    await fs.mkdir(root);
    await stageFiles(root, spec.files);
    await tarDir(root, tar);
    await fs.rm(root, { recursive: true, force: true });
  }
  const diff = await hashFile(tar);
  let blobFile = tar;
  if (compression === 'gzip') {
    blobFile = `${tar}.gz`;
    await pipeline(createReadStream(tar), createGzip({ level: gzipLevel, chunkSize: 1 << 20 }), createWriteStream(blobFile));
  } else if (compression === 'zstd') {
    blobFile = `${tar}.zst`;
    await run('zstd', ['-q', '-f', '-3', '-o', blobFile, tar]);
  }
  const blob = await putBlobFile(ctx, blobFile); // moves blobFile
  await fs.rm(tar, { force: true });
  const layer: BuiltLayer = {
    mediaType: layerMediaType(ctx.format, compression),
    ...blob,
    diffId: diff.digest,
    uncompressedSize: diff.size,
    compression,
  };
  ctx.cache.set(key, layer);
  return layer;
}

async function buildOne(ctx: BuildCtx, platform: Platform, specs: LayerSpec[], cfg: ImageConfigSpec): Promise<BuiltManifest> {
  const layers: BuiltLayer[] = [];
  for (const s of specs) layers.push(await buildLayer(ctx, s));
  const docker = ctx.format === 'docker';
  const config = {
    created: EPOCH,
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant ? { variant: platform.variant } : {}),
    config: {
      ...(cfg.user ? { User: cfg.user } : {}),
      Env: cfg.env ?? [DEFAULT_PATH_ENV],
      ...(cfg.entrypoint ? { Entrypoint: cfg.entrypoint } : {}),
      ...(cfg.cmd ? { Cmd: cfg.cmd } : {}),
      WorkingDir: cfg.workingDir ?? '/',
      ...(cfg.labels ? { Labels: cfg.labels } : {}),
    },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: specs.map((s, i) => ({ created: EPOCH, created_by: `peapod test fixture: layer ${i}${s.comment ? `: ${s.comment}` : ''}` })),
  };
  const configBytes = Buffer.from(JSON.stringify(config));
  const configBlob = { mediaType: docker ? MEDIA_TYPES.dockerConfig : MEDIA_TYPES.ociConfig, ...(await putBlob(ctx, configBytes)), bytes: configBytes };
  const mediaType = docker ? MEDIA_TYPES.dockerManifest : MEDIA_TYPES.ociManifest;
  const manifest = {
    schemaVersion: 2,
    mediaType,
    config: { mediaType: configBlob.mediaType, digest: configBlob.digest, size: configBlob.size },
    layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
  };
  const bytes = Buffer.from(JSON.stringify(manifest, null, 2));
  return { mediaType, ...(await putBlob(ctx, bytes)), bytes, platform, config: configBlob, layers };
}

export async function buildImage(opts: BuildImageOptions): Promise<BuiltImage> {
  const format = opts.format ?? 'oci';
  const tag = opts.tag ?? 'latest';
  const blobs = path.join(opts.layout, 'blobs', 'sha256');
  await fs.mkdir(blobs, { recursive: true });
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'peapod-imgbuild-'));
  const ctx: BuildCtx = { layout: opts.layout, blobs, work, format, compression: opts.compression ?? 'gzip', gzipLevel: opts.gzipLevel ?? 6, cache: new Map(), n: 0 };
  const specsFor = (p: Platform) => (typeof opts.layers === 'function' ? opts.layers(p) : opts.layers);
  const cfg = opts.config ?? {};
  try {
    let top: BuiltBlob & { bytes: Buffer };
    const manifests: BuiltManifest[] = [];
    if (opts.index) {
      for (const pp of opts.index) {
        const p = parsePlatform(pp);
        const marker: LayerSpec = { files: [{ path: 'platform.txt', content: `${platformString(p)}\n` }], comment: 'platform.txt' };
        manifests.push(await buildOne(ctx, p, [...specsFor(p), marker], cfg));
      }
      const mediaType = format === 'docker' ? MEDIA_TYPES.dockerManifestList : MEDIA_TYPES.ociIndex;
      const index = {
        schemaVersion: 2,
        mediaType,
        manifests: manifests.map((m) => ({
          mediaType: m.mediaType,
          digest: m.digest,
          size: m.size,
          platform: { architecture: m.platform.architecture, os: m.platform.os, ...(m.platform.variant ? { variant: m.platform.variant } : {}) },
        })),
      };
      const bytes = Buffer.from(JSON.stringify(index, null, 2));
      top = { mediaType, ...(await putBlob(ctx, bytes)), bytes };
    } else {
      const p = opts.platform ? parsePlatform(opts.platform) : hostPlatform();
      const m = await buildOne(ctx, p, specsFor(p), cfg);
      manifests.push(m);
      top = { mediaType: m.mediaType, digest: m.digest, size: m.size, bytes: m.bytes };
    }
    await fs.writeFile(path.join(opts.layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    const indexFile = path.join(opts.layout, 'index.json');
    type Entry = BuiltBlob & { annotations?: Record<string, string> };
    let entries: Entry[] = [];
    try {
      entries = (JSON.parse(await fs.readFile(indexFile, 'utf8')) as { manifests?: Entry[] }).manifests ?? [];
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    entries = entries.filter((e) => e.annotations?.['org.opencontainers.image.ref.name'] !== tag);
    entries.push({ mediaType: top.mediaType, digest: top.digest, size: top.size, annotations: { 'org.opencontainers.image.ref.name': tag } });
    await fs.writeFile(indexFile, JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests: entries }, null, 2));
    return { ...top, layout: opts.layout, tag, format, isIndex: Boolean(opts.index), manifests };
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

// ----------------------------------------------------------------------------------------- busybox

export interface BuildBusyboxImageOptions extends Omit<BuildImageOptions, 'layers'> {
  /** Layers on top of the busybox rootfs (for an index: the /platform.txt layer comes last). */
  extraLayers?: LayerSpec[] | ((platform: Platform) => LayerSpec[]);
  /** Compression of the busybox layer (default: opts.compression, else gzip). */
  busyboxCompression?: Compression;
  busyboxPath?: string;
}

/**
 * A runnable busybox image: layer 1 is a rootfs with the host's static busybox at /bin/busybox and every
 * applet linked in /bin and at its `--list-full` path; then extraLayers. Default config: Cmd ["sh"],
 * Env PATH, WorkingDir /. With `index`, every platform gets the same (host-architecture) busybox layer.
 */
export async function buildBusyboxImage(opts: BuildBusyboxImageOptions): Promise<BuiltImage> {
  const busybox = opts.busyboxPath ?? BUSYBOX_PATH;
  const stage = await fs.mkdtemp(path.join(os.tmpdir(), 'peapod-busybox-layer-'));
  try {
    const root = path.join(stage, 'rootfs');
    await fs.mkdir(root);
    await writeBusyboxRootfs(new HostExec(), busybox, root);
    const base: LayerSpec = { dir: root, compression: opts.busyboxCompression ?? opts.compression ?? 'gzip', comment: 'busybox rootfs' };
    const extra = opts.extraLayers ?? [];
    const { extraLayers: _e, busyboxCompression: _c, busyboxPath: _p, ...rest } = opts;
    return await buildImage({
      ...rest,
      config: { cmd: ['sh'], env: [DEFAULT_PATH_ENV], workingDir: '/', ...opts.config },
      layers: (p) => [base, ...(typeof extra === 'function' ? extra(p) : extra)],
    });
  } finally {
    await fs.rm(stage, { recursive: true, force: true });
  }
}
