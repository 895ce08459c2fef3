// pull (both sides): a 5-layer image of about 150 MB (gzip, about half that on the wire) from a real
// docker-registry on loopback (TLS from a throwaway CA, test/support/registry.ts) into an empty store:
// peapod's POST /peapod/v1/images/pull (straight to the API, timed from the request to the NDJSON line
// {type: "pulled"}) beside `podman pull --cert-dir` (the whole command) with the bench's own podman storage.
// Between runs the image is removed (`DELETE /peapod/v1/images/REF`, `podman rmi`) and the store checked:
// every run downloads and unpacks every layer. During each run the engine's VmRSS is read every 50 ms
// (the daemon's, the podman process's), and the host's CPU is counted (/proc/stat, the registry's own).
//
// The image is built once per bench run (not timed): deterministic files, many small ones and a few large
// ones per layer, each 16 KiB chunk either incompressible (AES-CTR output: compressed assets, packed
// data) or word-salad text (sources, docs), so that gzip gives about 2× overall, as real images do. Level 4:
// Node deflates this text at ~12 MB/s at level 6 (3.4×) but ~29 MB/s at level 4 (3.2×), and the build
// stays well under 30 s; the pulling side's inflate costs about the same at any level.

import { spawn } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { StoreLayout } from '../src/images/store-layout.js';
import { hostCpuTicks, statTicks } from './cpu-split.js';
import { ApiClient } from './api-client.js';
import type { BenchDaemon } from './peapod-daemon.js';
import type { PodmanEnv } from './podman-env.js';
import { percentile } from './stats.js';
import { buildImage, startRegistry, type Registry } from '../test/support/registry.js';

// ------------------------------------------------------------------------------------------ the image

export const MB = 1e6;
/** Uncompressed bytes of each layer's files, bottom first (a base layer, then smaller ones). */
export const LAYER_BYTES = [60 * MB, 40 * MB, 25 * MB, 15 * MB, 10 * MB];
/** Share of the 16 KiB chunks that are incompressible. */
export const RANDOM_SHARE = 0.3;
export const CHUNK = 16 << 10;
/** Bytes of a layer in small files (128 B – 32 KiB, log-uniform); the rest in files of 128 KiB – 8 MiB. */
const SMALL_SHARE = 0.2;
const SMALL = [128, 32 << 10] as const;
const LARGE = [128 << 10, 8 << 20] as const;
const SMALL_PER_DIR = 64;
const GZIP_LEVEL = 4;
const REPO = 'bench/pull:latest';

export interface PlannedFile {
  /** Relative to the layer root. */
  path: string;
  size: number;
  /** Seeds the file's chunk choice. */
  seed: number;
}

/** A small deterministic PRNG (mulberry32): floats in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const logUniform = (r: () => number, [lo, hi]: readonly [number, number]) => Math.floor(Math.exp(Math.log(lo) + r() * (Math.log(hi) - Math.log(lo))));

/**
 * The files of layer `index` (0 = bottom), `bytes` of content in all: small files (20% of the bytes)
 * 64 to a dir under usr/share/pkgN/, large ones under usr/lib/pkgN/. Pure and deterministic; the sizes
 * add up to `bytes` exactly.
 */
export function planLayerFiles(index: number, bytes: number): PlannedFile[] {
  const r = prng(0x9e3779b9 ^ (index + 1));
  const files: PlannedFile[] = [];
  let left = bytes;
  let smallLeft = Math.floor(bytes * SMALL_SHARE);
  let n = 0;
  while (smallLeft > 0 && left > 0) {
    const size = Math.min(logUniform(r, SMALL), smallLeft);
    files.push({ path: `usr/share/pkg${index}/d${Math.floor(n / SMALL_PER_DIR)}/f${n}.txt`, size, seed: (index << 20) + n });
    smallLeft -= size;
    left -= size;
    n++;
  }
  let k = 0;
  while (left > 0) {
    let size = Math.min(logUniform(r, LARGE), left);
    if (left - size < LARGE[0]) size = left; // no tiny tail file
    files.push({ path: `usr/lib/pkg${index}/lib${k}.so`, size, seed: (index << 20) + n + k });
    left -= size;
    k++;
  }
  return files;
}

const SYLLABLES = ['ba', 'ko', 'ri', 'tem', 'un', 'sa', 'lo', 'pre', 'fix', 'con', 'ing', 'er', 'al', 'ment', 'str', 'dat', 'val', 'get', 'set', 'init', 'buf', 'ptr', 'len', 'size', 'node', 'list', 'map', 'err', 'ctx', 'log'];

/** `bytes` of word salad (2,000 words, a skewed choice among them): compresses about 3.2× with gzip -4. */
export function textPool(bytes: number, seed = 42): Buffer {
  const r = prng(seed);
  const words: string[] = [];
  for (let i = 0; i < 2000; i++) {
    let w = '';
    for (let j = 1 + Math.floor(r() * 3); j > 0; j--) w += SYLLABLES[Math.floor(r() * SYLLABLES.length)];
    words.push(w);
  }
  const parts: string[] = [];
  let len = 0;
  while (len < bytes) {
    const w = words[Math.floor(r() ** 2 * words.length)]!;
    const sep = r() < 0.08 ? '\n' : r() < 0.1 ? ', ' : ' ';
    parts.push(w, sep);
    len += w.length + sep.length;
  }
  return Buffer.from(parts.join('')).subarray(0, bytes);
}

/** Writes a layer's planned files under `root`: each 16 KiB chunk incompressible or a slice of the text pool. */
async function writeLayerFiles(root: string, files: PlannedFile[], pool: Buffer, random: () => Buffer): Promise<void> {
  for (const f of files) {
    const r = prng(f.seed);
    const parts: Buffer[] = [];
    for (let off = 0; off < f.size; off += CHUNK) {
      const len = Math.min(CHUNK, f.size - off);
      if (r() < RANDOM_SHARE) parts.push(random().subarray(0, len));
      else {
        const at = Math.floor(r() * (pool.length - len));
        parts.push(pool.subarray(at, at + len));
      }
    }
    const dest = path.join(root, f.path);
    await fsp.mkdir(path.dirname(dest), { recursive: true });
    await fsp.writeFile(dest, Buffer.concat(parts, f.size));
  }
}

export interface PullImageInfo {
  layers: number;
  files: number;
  /** Sum of the layer blobs (gzip) and of the layer tars. */
  compressedBytes: number;
  uncompressedBytes: number;
}

export interface PullFixture {
  registry: Registry;
  /** HOST:PORT/bench/pull:latest */
  ref: string;
  image: PullImageInfo;
  layers: { digest: string; diffId: string; size: number }[];
  configDigest: string;
  buildMs: number;
  stop(): Promise<void>;
}

/** Starts the registry (TLS, no auth), builds the image into a temp OCI layout, pushes it, removes the layout. */
export async function preparePullImage(progress: (line: string) => void): Promise<PullFixture> {
  const t0 = performance.now();
  const registry = await startRegistry();
  const work = await fsp.mkdtemp(path.join(os.tmpdir(), 'peapod-bench-pull-'));
  try {
    const pool = textPool(4 << 20);
    const cipher = createCipheriv('aes-256-ctr', createHash('sha256').update('peapod bench pull').digest(), Buffer.alloc(16));
    const zeros = Buffer.alloc(CHUNK);
    const random = () => cipher.update(zeros);
    const dirs: string[] = [];
    let files = 0;
    for (let i = 0; i < LAYER_BYTES.length; i++) {
      const dir = path.join(work, `layer${i}`);
      const plan = planLayerFiles(i, LAYER_BYTES[i]!);
      files += plan.length;
      await writeLayerFiles(dir, plan, pool, random);
      dirs.push(dir);
    }
    const built = await buildImage({ layout: path.join(work, 'layout'), tag: 'bench', gzipLevel: GZIP_LEVEL, layers: dirs.map((dir, i) => ({ dir, comment: `bench layer ${i}` })), config: { cmd: ['sh'] } });
    await registry.push(built, REPO);
    const m = built.manifests[0]!;
    const image: PullImageInfo = {
      layers: m.layers.length,
      files,
      compressedBytes: m.layers.reduce((a, l) => a + l.size, 0),
      uncompressedBytes: m.layers.reduce((a, l) => a + l.uncompressedSize, 0),
    };
    const buildMs = performance.now() - t0;
    progress(`pull image: ${image.layers} layers, ${files} files, ${(image.uncompressedBytes / MB).toFixed(0)} MB of tar, ${(image.compressedBytes / MB).toFixed(0)} MB gzip, built and pushed in ${(buildMs / 1000).toFixed(1)} s`);
    return {
      registry,
      ref: registry.ref(REPO),
      image,
      layers: m.layers.map((l) => ({ digest: l.digest, diffId: l.diffId, size: l.size })),
      configDigest: m.config.digest,
      buildMs,
      stop: () => registry.stop(),
    };
  } catch (err) {
    await registry.stop();
    throw err;
  } finally {
    await fsp.rm(work, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------------------------------- figures

export interface PullRun {
  ms: number;
  /** peapod: the daemon's VmRSS as the pull starts, MB. */
  startRssMB?: number;
  /** The engine's largest VmRSS seen (every 50 ms), MB; and its VmHWM at the end (peapod: reset before the run). */
  peakRssMB?: number;
  hwmMB?: number;
  /** The host's busy CPU over the run, and the registry's share of it, core-seconds. */
  hostCpuS?: number;
  registryCpuS?: number;
  /** The engine's CPU, core-seconds: peapod's daemon and its spawn helper with the tar it ran; the podman process with its children. */
  engineCpuS?: number;
  /** peapod: where the time went, from the NDJSON events' arrival times. */
  phases?: PullPhases;
}

export interface PullPhases {
  /** The manifest resolved (the 'resolved' event). */
  resolvedMs: number;
  /** ≈ the last blob's last byte: the last 'downloading' event (throttled to 10 a second) or its layer's 'extracting' if earlier. */
  downloadedMs: number;
  /** Per layer, bottom first: unpack start ('extracting') and duration ('done' − 'extracting'). */
  unpackStartMs: number[];
  unpackMs: number[];
}

export interface PullFigures {
  image: PullImageInfo;
  runs: number;
  runMs: number[];
  p50Ms: number;
  minMs: number;
  maxMs: number;
  /** Compressed (wire) MB over the median run, per second. */
  mbps: number;
  peakRssMB?: number;
  /** Median engine CPU per pull (PullRun.engineCpuS), core-seconds. */
  engineCpuS?: number;
  detail: PullRun[];
}

const maxOf = (v: (number | undefined)[]) => {
  const xs = v.filter((x): x is number => x !== undefined && Number.isFinite(x));
  return xs.length ? Math.max(...xs) : undefined;
};

/** The side's figures over its runs. Pure. */
export function summarizePull(image: PullImageInfo, runs: PullRun[]): PullFigures {
  const ms = runs.map((r) => r.ms);
  const p50 = percentile(ms, 50);
  const cpu = runs.map((r) => r.engineCpuS).filter((x): x is number => x !== undefined);
  return {
    image,
    runs: runs.length,
    runMs: ms,
    p50Ms: p50,
    minMs: ms.length ? Math.min(...ms) : NaN,
    maxMs: ms.length ? Math.max(...ms) : NaN,
    mbps: image.compressedBytes / MB / (p50 / 1000),
    peakRssMB: maxOf(runs.map((r) => r.peakRssMB)),
    ...(cpu.length ? { engineCpuS: percentile(cpu, 50) } : {}),
    detail: runs,
  };
}

/** Where peapod's time went, from the pull's events: (ms since the request, event). Pure. */
export function pullPhases(events: { atMs: number; e: PullEventLine }[]): PullPhases | undefined {
  const resolved = events.find((x) => x.e.type === 'resolved');
  if (!resolved || resolved.e.type !== 'resolved') return undefined;
  const digests = resolved.e.layers.map((l) => l.digest);
  const lastAt = (digest: string, status: string) => {
    let at: number | undefined;
    for (const x of events) if (x.e.type === 'layer' && x.e.digest === digest && x.e.status === status) at = x.atMs;
    return at;
  };
  const unpackStartMs = digests.map((d) => lastAt(d, 'extracting') ?? NaN);
  const unpackMs = digests.map((d, i) => (lastAt(d, 'done') ?? NaN) - unpackStartMs[i]!);
  const downloaded = digests.map((d, i) => Math.min(lastAt(d, 'downloading') ?? Infinity, unpackStartMs[i]!));
  return { resolvedMs: resolved.atMs, downloadedMs: Math.max(...downloaded), unpackStartMs, unpackMs };
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** One note line per side: every run, and for peapod where its time went. Pure. */
export function describePullRuns(side: string, f: PullFigures): string[] {
  const runs = f.detail
    .map((r) => {
      const facts = [
        r.peakRssMB !== undefined ? `peak RSS ${r.peakRssMB.toFixed(0)} MB${r.startRssMB !== undefined ? ` from ${r.startRssMB.toFixed(0)}` : ''}` : undefined,
        r.hwmMB !== undefined ? `VmHWM ${r.hwmMB.toFixed(0)} MB` : undefined,
        r.engineCpuS !== undefined ? `CPU ${r.engineCpuS.toFixed(1)} core-s` : undefined,
        r.hostCpuS !== undefined ? `host ${r.hostCpuS.toFixed(1)}` : undefined,
        r.registryCpuS !== undefined ? `the registry ${r.registryCpuS.toFixed(1)}` : undefined,
      ].filter(Boolean);
      return facts.length ? `${s(r.ms)} (${facts.join(', ')})` : s(r.ms);
    })
    .join('; ');
  const out = [`pull: ${side} runs: ${runs}`];
  const withPhases = f.detail.filter((r) => r.phases);
  if (withPhases.length) {
    const parts = withPhases.map((r) => {
      const p = r.phases!;
      const unpackSum = p.unpackMs.reduce((a, b) => a + b, 0);
      return `resolved at ${s(p.resolvedMs)}, all blobs in by ≈${s(p.downloadedMs)}, layer unpacks ${p.unpackMs.map((u) => (u / 1000).toFixed(2)).join(' + ')} = ${s(unpackSum)} (the first from ${s(p.unpackStartMs[0]!)}), unpacking alone after the last byte ${s(r.ms - p.downloadedMs)}`;
    });
    out.push(`pull: ${side} phases per run: ${parts.join(' | ')}`);
  }
  return out;
}

// ------------------------------------------------------------------------------------------ sampling

function statusKB(pid: number, field: string): number | undefined {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

function ticks(pid: number): number | undefined {
  try {
    return statTicks(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

const hostBusy = () => hostCpuTicks(fs.readFileSync('/proc/stat', 'utf8')).busy;

/** How many of the host's cores were busy over the next `ms` (work other than the bench's when it idles). */
async function hostBusyCores(ms: number): Promise<number> {
  const a = hostCpuTicks(fs.readFileSync('/proc/stat', 'utf8'));
  await new Promise((r) => setTimeout(r, ms));
  const b = hostCpuTicks(fs.readFileSync('/proc/stat', 'utf8'));
  return b.total > a.total ? ((b.busy - a.busy) / (b.total - a.total)) * os.cpus().length : NaN;
}

/** Reads a process's VmRSS and VmHWM every `everyMs` until stop(); `resetPeak` zeroes its VmHWM first (clear_refs 5). */
class RssSampler {
  private maxRss = 0;
  private hwm = 0;
  private readonly timer: NodeJS.Timeout;
  readonly peakReset: boolean;

  constructor(private readonly pid: number, everyMs = 50, resetPeak = false) {
    let reset = false;
    if (resetPeak) {
      try {
        fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
        reset = true;
      } catch {
        /* older kernel: VmHWM stays the lifetime peak and is not reported */
      }
    }
    this.peakReset = reset;
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
  }

  private sample(): void {
    const rss = statusKB(this.pid, 'VmRSS');
    const hwm = statusKB(this.pid, 'VmHWM');
    if (rss !== undefined) this.maxRss = Math.max(this.maxRss, rss);
    if (hwm !== undefined) this.hwm = Math.max(this.hwm, hwm);
  }

  stop(): { peakRssMB?: number; hwmMB?: number } {
    this.sample();
    clearInterval(this.timer);
    return { ...(this.maxRss ? { peakRssMB: this.maxRss / 1024 } : {}), ...(this.hwm ? { hwmMB: this.hwm / 1024 } : {}) };
  }
}

/** CPU over a run: the host's busy ticks, the registry's, and the engine's (`engine()`: its ticks so far). */
function cpuMeter(registryPid: number, engine: () => number | undefined): () => { hostCpuS: number; registryCpuS: number; engineCpuS?: number } {
  const h0 = hostBusy();
  const r0 = ticks(registryPid) ?? 0;
  const e0 = engine();
  return () => {
    const e1 = engine();
    return {
      hostCpuS: (hostBusy() - h0) / 100,
      registryCpuS: ((ticks(registryPid) ?? r0) - r0) / 100,
      ...(e0 !== undefined && e1 !== undefined ? { engineCpuS: (e1 - e0) / 100 } : {}),
    };
  };
}

/** The daemon's ticks and its children's (the spawn helper, with the programs it ran and reaped: tar). */
function daemonTreeTicks(pid: number): number | undefined {
  const own = ticks(pid);
  if (own === undefined) return undefined;
  let kids: number[] = [];
  try {
    kids = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    /* none */
  }
  let n = own;
  for (const k of kids) {
    try {
      n += statTicks(fs.readFileSync(`/proc/${k}/stat`, 'utf8'), true);
    } catch {
      /* gone */
    }
  }
  return n;
}

/** This process's reaped children's ticks (cutime + cstime): podman, once it has exited, with its own children. */
function reapedChildrenTicks(): number | undefined {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    return statTicks(stat, true) - statTicks(stat);
  } catch {
    return undefined;
  }
}

/** Flushes the previous run's writes so they do not land in the next run's time. */
function sync(): Promise<void> {
  return new Promise((resolve) => spawn('sync', { stdio: 'ignore' }).on('close', () => resolve()).on('error', () => resolve()));
}

// ------------------------------------------------------------------------------------------- peapod

export type PullEventLine =
  | { type: 'resolved'; layers: { digest: string; size: number }[] }
  | { type: 'layer'; digest: string; status: string; current: number; total: number }
  | { type: 'retry'; reason: string }
  | { type: 'pulled'; image: { id: string } }
  | { type: 'error'; status: { message?: string } };

/** POST /peapod/v1/images/pull; resolves with each line and its arrival (ms since the request started) once the stream ends. */
function streamPull(cluster: BenchDaemon['cluster'], ref: string, signal: AbortSignal): Promise<{ atMs: number; e: PullEventLine }[]> {
  const url = new URL(cluster.server);
  const body = JSON.stringify({ ref });
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const events: { atMs: number; e: PullEventLine }[] = [];
    const req = https.request(
      { host: url.hostname, port: url.port, method: 'POST', path: '/peapod/v1/images/pull', ca: cluster.ca, cert: cluster.cert, key: cluster.key, agent: false, signal,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), accept: 'application/x-ndjson' } },
      (res) => {
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const at = performance.now() - t0;
          buf += chunk;
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl).trim();
            buf = buf.slice(nl + 1);
            if (line) events.push({ atMs: at, e: JSON.parse(line) as PullEventLine });
          }
        });
        res.on('end', () => {
          if (res.statusCode !== 200) return reject(new Error(`pull ${ref}: ${res.statusCode} ${buf.slice(0, 300)}`));
          const last = events.at(-1)?.e;
          if (last?.type === 'error') return reject(new Error(`pull ${ref}: ${last.status.message ?? JSON.stringify(last.status)}`));
          if (last?.type !== 'pulled') return reject(new Error(`pull ${ref}: the stream ended without "pulled"`));
          resolve(events);
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const exists = (p: string) => fs.existsSync(p);

/** The image's blobs and unpacked layers still in peapod's store (empty: a pull starts from nothing). */
function peapodLeftovers(layout: StoreLayout, fx: PullFixture): string[] {
  const left: string[] = [];
  for (const l of fx.layers) {
    if (exists(layout.blobPath(l.digest))) left.push(`blob ${l.digest.slice(7, 19)}`);
    if (exists(layout.layerDir(l.diffId))) left.push(`layer ${l.diffId.slice(7, 19)}`);
  }
  if (exists(layout.blobPath(fx.configDigest))) left.push('config blob');
  return left;
}

/** One side's pulls: `once()` is one timed run into an empty store, the image removed (and checked) after it. */
interface SidePuller {
  once(signal: AbortSignal): Promise<PullRun>;
  close(): void;
}

async function peapodPuller(fx: PullFixture, daemon: BenchDaemon): Promise<SidePuller> {
  const pid = daemon.pid;
  if (pid === undefined) throw new Error('the daemon is not running');
  await fx.registry.writeCertsD(path.join(daemon.paths.dataDir, 'certs.d'));
  const layout = new StoreLayout(daemon.paths.imagesDir);
  const client = new ApiClient(daemon.cluster);
  return {
    async once(signal) {
      const left = peapodLeftovers(layout, fx);
      if (left.length) throw new Error(`the store is not empty before the pull: ${left.join(', ')}`);
      await sync();
      const startRssMB = (statusKB(pid, 'VmRSS') ?? 0) / 1024;
      const rss = new RssSampler(pid, 50, true);
      const cpu = cpuMeter(fx.registry.pid, () => daemonTreeTicks(pid));
      let mem: { peakRssMB?: number; hwmMB?: number } = {};
      const events = await streamPull(daemon.cluster, fx.ref, signal).finally(() => (mem = rss.stop()));
      const c = cpu();
      const ms = events.find((x) => x.e.type === 'pulled')!.atMs;
      const phases = pullPhases(events);
      const run: PullRun = {
        ms,
        startRssMB,
        peakRssMB: mem.peakRssMB,
        ...(rss.peakReset ? { hwmMB: mem.hwmMB } : {}), // else VmHWM is the daemon's lifetime peak
        hostCpuS: c.hostCpuS,
        registryCpuS: c.registryCpuS,
        ...(c.engineCpuS !== undefined ? { engineCpuS: c.engineCpuS } : {}),
        ...(phases ? { phases } : {}),
      };
      const del = await client.request('DELETE', `/peapod/v1/images/${encodeURIComponent(fx.ref)}`);
      if (del.status !== 200) throw new Error(`DELETE image ${fx.ref}: ${del.status} ${JSON.stringify(del.body).slice(0, 300)}`);
      const after = peapodLeftovers(layout, fx);
      if (after.length) throw new Error(`the image's blobs and layers stayed after its removal: ${after.join(', ')}`);
      return run;
    },
    close: () => client.close(),
  };
}

// ------------------------------------------------------------------------------------------- podman

/** Layer dirs of podman's overlay storage (not the l/ links dir). */
function podmanLayerCount(env: PodmanEnv): number {
  try {
    return fs.readdirSync(path.join(env.dir, 'root', 'overlay')).filter((d) => d !== 'l').length;
  } catch {
    return 0;
  }
}

/** `podman pull`, timed as a whole; resolves with its wall time, peak RSS and output. */
function timedPodmanPull(env: PodmanEnv, fx: PullFixture, signal: AbortSignal): Promise<{ ms: number; mem: { peakRssMB?: number; hwmMB?: number }; output: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(env.podman, ['pull', '--cert-dir', fx.registry.certDir, fx.ref], { stdio: ['ignore', 'pipe', 'pipe'], env: env.commandEnv(), signal });
    const rss = child.pid !== undefined ? new RssSampler(child.pid, 50) : undefined;
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr.on('data', (b: Buffer) => (output += b.toString()));
    child.on('error', (e) => {
      rss?.stop();
      reject(e);
    });
    // Timed at 'exit' (the process is gone; its VmHWM was read up to then), settled at 'close' (the pipes drained).
    let ms = 0;
    let mem: { peakRssMB?: number; hwmMB?: number } = {};
    child.on('exit', () => {
      ms = performance.now() - t0;
      mem = rss?.stop() ?? {};
    });
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`podman pull ${fx.ref}: exit ${code}: ${output.trim().slice(-300)}`));
      else resolve({ ms, mem, output });
    });
  });
}

function podmanPuller(fx: PullFixture, env: PodmanEnv): SidePuller {
  const baseline = podmanLayerCount(env);
  return {
    async once(signal) {
      if ((await env.run(['image', 'exists', fx.ref])).code === 0) throw new Error(`podman already has ${fx.ref} before the pull`);
      await sync();
      const cpu = cpuMeter(fx.registry.pid, reapedChildrenTicks);
      const r = await timedPodmanPull(env, fx, signal);
      const c = cpu();
      if (/already exists/.test(r.output)) throw new Error(`podman reused a layer: ${r.output.trim().slice(-300)}`);
      await env.check(['rmi', fx.ref]);
      const layers = podmanLayerCount(env);
      if (layers !== baseline) throw new Error(`podman storage holds ${layers} layers after rmi, ${baseline} before the pull`);
      return { ms: r.ms, ...r.mem, hostCpuS: c.hostCpuS, registryCpuS: c.registryCpuS, ...(c.engineCpuS !== undefined ? { engineCpuS: c.engineCpuS } : {}) };
    },
    close: () => undefined,
  };
}

// ------------------------------------------------------------------------------------------ the runs

export type PullSide = 'peapod' | 'podman';

/** Which side goes first in run `i`: they take turns (peapod, podman; podman, peapod; ...), so a busier moment of the host does not fall on one side only. Pure. */
export function pullOrder(i: number, sides: PullSide[]): PullSide[] {
  return i % 2 === 0 ? [...sides] : [...sides].reverse();
}

/**
 * The pull scenario: one warm-up pull per side (not counted: the first pull of a process or a store pays
 * for cold caches), then `runs` timed pulls per side, the sides taking turns. A side that fails is noted
 * and dropped; the other goes on.
 */
export async function runPull(
  fx: PullFixture,
  sides: { peapod?: BenchDaemon; podman?: PodmanEnv },
  runs: number,
  signal: AbortSignal,
  note: (line: string) => void,
): Promise<{ peapod?: PullFigures; podman?: PullFigures }> {
  const pullers = new Map<PullSide, SidePuller>();
  const results = new Map<PullSide, PullRun[]>();
  const fail = (side: PullSide, what: string, err: unknown) => {
    note(`${side} pull ${what} failed: ${(err as Error).message.split('\n')[0]}`);
    pullers.get(side)?.close();
    pullers.delete(side);
  };
  // Other work on a shared host slows either side's pulls: the note says how busy it was with the bench idle.
  const idleBefore = await hostBusyCores(2000);
  try {
    if (sides.peapod) await peapodPuller(fx, sides.peapod).then((p) => pullers.set('peapod', p), (e) => fail('peapod', 'setup', e));
    if (sides.podman) pullers.set('podman', podmanPuller(fx, sides.podman));
    for (const side of [...pullers.keys()]) {
      await pullers.get(side)!.once(signal).catch((e) => fail(side, 'warm-up', e));
      results.set(side, []);
    }
    for (let i = 0; i < runs && !signal.aborted; i++) {
      for (const side of pullOrder(i, [...pullers.keys()])) {
        const p = pullers.get(side);
        if (!p) continue;
        await p.once(signal).then((r) => results.get(side)!.push(r), (e) => fail(side, `run ${i + 1}`, e));
      }
    }
  } finally {
    for (const p of pullers.values()) p.close();
  }
  const idleAfter = await hostBusyCores(2000);
  note(`pull: the host was ${idleBefore.toFixed(2)} of ${os.cpus().length} cores busy over 2 s before the runs and ${idleAfter.toFixed(2)} after, the bench idle (other work shows in every run)`);
  const out: { peapod?: PullFigures; podman?: PullFigures } = {};
  for (const [side, rs] of results) if (rs.length) out[side] = summarizePull(fx.image, rs);
  return out;
}
