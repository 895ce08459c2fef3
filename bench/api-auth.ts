// api-auth (peapod only): what TLS and authentication cost a GET of one pod and a LIST of ~100 pods. The
// daemon serves HTTPS only (no plain-HTTP port, no unix socket), so the plainest path is a TLS connection
// kept open; beside it, a new connection per request (a full handshake each time, no session resumption:
// what every kubectl invocation pays). Each of the two with the two credentials kubectl uses: a bearer
// token (--token-auth-file) and the kubeconfig's client certificate.
// The pods are stored only (bound to a node that does not exist, each with a real running pod's status),
// in a namespace of their own. Requests go one at a time, timed to the reply's last byte (not parsed); the
// variants take turns in rounds so a drift of the host's speed falls on all of them alike.

import fs from 'node:fs';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { ClusterConfig } from '../src/cli/kubeconfig.js';
import { epochMs } from './api-client.js';
import { statTicks } from './cpu-split.js';
import { createNamespace, removeStored, storeOne, type StoredTemplate } from './load.js';
import type { PeapodDriver } from './peapod-driver.js';
import { sleepPod } from './pod-specs.js';
import { runPool } from './scenarios.js';
import { perSecond, summarize } from './stats.js';

export type Credential = 'token' | 'cert';
export type Connection = 'reused' | 'new';
export type Call = 'get' | 'list';

export interface AuthVariant {
  call: Call;
  connection: Connection;
  credential: Credential;
}

/** Every variant, in the order of the report: GET then LIST, reused then new connections, token then certificate. */
export const AUTH_VARIANTS: readonly AuthVariant[] = (['get', 'list'] as const).flatMap((call) =>
  (['reused', 'new'] as const).flatMap((connection) => (['token', 'cert'] as const).map((credential) => ({ call, connection, credential }))),
);

export const variantKey = (v: AuthVariant) => `${v.call}/${v.connection}/${v.credential}`;

export interface AuthCounts {
  /** Pods stored for the list. */
  pods: number;
  /** Requests per variant over a reused connection, and over new connections, for GET and LIST. */
  reusedGet: number;
  reusedList: number;
  newGet: number;
  newList: number;
  rounds: number;
}

/** How many requests variant `v` makes in each of the rounds (the total split as evenly as it goes, the first rounds taking the rest). */
export function requestsPerRound(v: AuthVariant, c: AuthCounts): number[] {
  const total = v.connection === 'reused' ? (v.call === 'get' ? c.reusedGet : c.reusedList) : v.call === 'get' ? c.newGet : c.newList;
  return Array.from({ length: c.rounds }, (_, i) => Math.floor(total / c.rounds) + (i < total % c.rounds ? 1 : 0));
}

export interface AuthRow extends AuthVariant {
  n: number;
  p50Ms: number;
  p99Ms: number;
  /** Requests over the time spent making them (one at a time: 1 / mean latency, with the gaps between). */
  rps: number;
  /** The daemon's CPU time (user + system) per request: what the server pays, whatever the host's load. */
  daemonCpuMs?: number;
}

export interface ApiAuthFigures {
  pods: number;
  /** The TLS version and cipher the connections negotiated, and the server certificate's key. */
  tls?: string;
  rows: AuthRow[];
}

/** The row of one variant: its latencies and the time its blocks of requests took in all. */
export function authRow(v: AuthVariant, latenciesMs: readonly number[], spentMs: number, daemonTicks?: number): AuthRow {
  const s = summarize(latenciesMs);
  return { ...v, n: s.n, p50Ms: s.p50, p99Ms: s.p99, rps: perSecond(s.n, spentMs), ...(daemonTicks !== undefined && s.n ? { daemonCpuMs: (daemonTicks * 10) / s.n } : {}) };
}

/** utime + stime of a process so far, in clock ticks (10 ms); undefined once it is gone. */
function processTicks(pid: number): number | undefined {
  try {
    return statTicks(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

const NAMESPACE = 'api-auth';
const TEMPLATE = 'api-auth-template';
const WARMUP = 10;

interface Client {
  /** One request; resolves with the status once the reply's last byte has arrived. */
  call(path: string): Promise<number>;
  close(): void;
}

/** A client of one credential and connection kind. */
function makeClient(cluster: ClusterConfig, token: string, credential: Credential, connection: Connection, onTls: (s: string) => void): Client {
  const url = new URL(cluster.server);
  const creds = credential === 'cert' ? { cert: cluster.cert, key: cluster.key } : {};
  const headers = { accept: 'application/json', ...(credential === 'token' ? { authorization: `Bearer ${token}` } : {}) };
  // agent false: a new Agent per request, so a new connection with a full handshake (no session cache).
  const agent = connection === 'reused' ? new https.Agent({ keepAlive: true, maxSockets: 1, ca: cluster.ca, ...creds }) : false;
  return {
    call: (path) =>
      new Promise<number>((resolve, reject) => {
        const req = https.request({ host: url.hostname, port: url.port, path, method: 'GET', headers, agent, ca: cluster.ca, ...creds }, (res) => {
          const s = res.socket as TLSSocket;
          const peer = s.getPeerCertificate?.();
          onTls(`${s.getProtocol?.() ?? '?'} ${s.getCipher?.()?.name ?? '?'}, server key ${peer?.nistCurve ? `ECDSA ${peer.nistCurve}` : `${peer?.bits ?? '?'}-bit`}`);
          res.on('data', () => undefined);
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end();
      }),
    close: () => (agent ? agent.destroy() : undefined),
  };
}

export async function runApiAuth(driver: PeapodDriver, daemon: { cluster: ClusterConfig; token: string; pid?: number }, counts: AuthCounts, signal: AbortSignal): Promise<ApiAuthFigures> {
  const { cluster, token } = daemon;
  const api = driver.client;
  await driver.start(sleepPod(TEMPLATE));
  const template = (await api.getPod(TEMPLATE)).body as StoredTemplate;
  await createNamespace(api, NAMESPACE);
  let tls: string | undefined;
  const clients = new Map<string, Client>();
  try {
    const names = Array.from({ length: counts.pods }, (_, i) => `stored-${i}`);
    await runPool(names, 8, (n) => storeOne(api, template, n, NAMESPACE), signal);
    const pods = `/api/v1/namespaces/${NAMESPACE}/pods`;
    const pathOf = (v: AuthVariant) => (v.call === 'get' ? `${pods}/${names[0]}` : pods);
    for (const v of AUTH_VARIANTS) clients.set(variantKey(v), makeClient(cluster, token, v.credential, v.connection, (s) => (tls ??= s)));
    const once = async (v: AuthVariant) => {
      const status = await clients.get(variantKey(v))!.call(pathOf(v));
      if (status !== 200) throw new Error(`${variantKey(v)}: status ${status}`);
    };
    for (const v of AUTH_VARIANTS) for (let i = 0; i < WARMUP; i++) await once(v);
    const lat = new Map<string, number[]>(AUTH_VARIANTS.map((v) => [variantKey(v), []]));
    const spent = new Map<string, number>(AUTH_VARIANTS.map((v) => [variantKey(v), 0]));
    const ticks = new Map<string, number>(AUTH_VARIANTS.map((v) => [variantKey(v), 0]));
    for (let round = 0; round < counts.rounds; round++) {
      for (const v of AUTH_VARIANTS) {
        const k = variantKey(v);
        const blockStart = epochMs();
        const ticksBefore = daemon.pid ? processTicks(daemon.pid) : undefined;
        for (let i = 0; i < requestsPerRound(v, counts)[round]!; i++) {
          signal.throwIfAborted();
          const s = epochMs();
          await once(v);
          lat.get(k)!.push(epochMs() - s);
        }
        spent.set(k, spent.get(k)! + epochMs() - blockStart);
        const ticksAfter = daemon.pid ? processTicks(daemon.pid) : undefined;
        ticks.set(k, ticksBefore === undefined || ticksAfter === undefined ? NaN : ticks.get(k)! + ticksAfter - ticksBefore);
      }
    }
    return { pods: counts.pods, ...(tls ? { tls } : {}), rows: AUTH_VARIANTS.map((v) => authRow(v, lat.get(variantKey(v))!, spent.get(variantKey(v))!, Number.isFinite(ticks.get(variantKey(v))) ? ticks.get(variantKey(v)) : undefined)) };
  } finally {
    for (const c of clients.values()) c.close();
    await removeStored(api, NAMESPACE);
    await driver.remove(TEMPLATE);
  }
}
