// A small Kubernetes API client for the bench: JSON requests over keep-alive TLS connections to the daemon
// on 127.0.0.1 (trusting its CA, presenting the admin's client certificate from its kubeconfig), and a
// pods watch that delivers each event with the epoch time it arrived.

import type http from 'node:http';
import https from 'node:https';
import type { ClusterConfig } from '../src/cli/kubeconfig.js';
import { performance } from 'node:perf_hooks';
import type { PodObject } from './pod-state.js';

export interface ApiResponse {
  status: number;
  body: any;
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: PodObject;
}

/** Epoch ms with sub-ms precision, comparable with the daemon's log `time`. */
export const epochMs = () => performance.timeOrigin + performance.now();

export const PODS = '/api/v1/namespaces/default/pods';
export const CLAIMS = '/api/v1/namespaces/default/persistentvolumeclaims';
/** What `kubectl get` sends: a Table, else JSON. */
export const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

export class ApiClient {
  private readonly agent: https.Agent;
  private readonly url: URL;

  constructor(cluster: ClusterConfig) {
    this.url = new URL(cluster.server);
    if (this.url.protocol !== 'https:') throw new Error(`bench api client: the API serves https only, got ${cluster.server}`);
    this.agent = new https.Agent({ keepAlive: true, maxSockets: 32, ca: cluster.ca, cert: cluster.cert, key: cluster.key });
  }

  /**
   * `accept`: the Accept header (default JSON); a body that is not JSON comes back as text. `raw`: the body
   * comes back as text, unparsed (a timed request then ends at the reply's last byte, not after the parse).
   */
  request(method: string, path: string, body?: unknown, opts: { timeoutMs?: number; accept?: string; raw?: boolean } = {}): Promise<ApiResponse> {
    const timeoutMs = opts.timeoutMs ?? 30_000;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = https.request(
        {
          host: this.url.hostname,
          port: this.url.port,
          method,
          path,
          agent: this.agent,
          timeout: timeoutMs,
          headers: { accept: opts.accept ?? 'application/json', ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              if (!opts.raw) parsed = text ? JSON.parse(text) : undefined;
            } catch {
              /* keep the text */
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  private async create(collection: string, what: string, obj: unknown): Promise<any> {
    const r = await this.request('POST', collection, obj);
    if (r.status !== 201 && r.status !== 200) throw new Error(`create ${what}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    return r.body;
  }

  /** DELETE (with a grace period when given); 404 counts as done. */
  private async delete(collection: string, what: string, name: string, gracePeriodSeconds?: number): Promise<void> {
    const r = await this.request('DELETE', `${collection}/${name}`, { kind: 'DeleteOptions', apiVersion: 'v1', ...(gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds }) });
    if (r.status >= 300 && r.status !== 404) throw new Error(`delete ${what} ${name}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  }

  createPod(pod: unknown): Promise<PodObject> {
    return this.create(PODS, 'pod', pod);
  }

  deletePod(name: string, gracePeriodSeconds: number): Promise<void> {
    return this.delete(PODS, 'pod', name, gracePeriodSeconds);
  }

  /** A PersistentVolumeClaim in the default namespace; resolves with the stored object (its uid). */
  createClaim(claim: unknown): Promise<{ metadata: { name: string; uid: string } }> {
    return this.create(CLAIMS, 'claim', claim);
  }

  deleteClaim(name: string): Promise<void> {
    return this.delete(CLAIMS, 'claim', name);
  }

  listClaims(): Promise<ApiResponse> {
    return this.request('GET', CLAIMS);
  }

  /** `accept`: e.g. TABLE_ACCEPT for the Table form kubectl get asks for. */
  listPods(accept?: string): Promise<ApiResponse> {
    return this.request('GET', PODS, undefined, { accept });
  }

  getPod(name: string): Promise<ApiResponse> {
    return this.request('GET', `${PODS}/${name}`);
  }

  /**
   * Watches pods from `resourceVersion`, calling `onEvent` with each event and its arrival time. When the
   * server ends the stream, re-watches from the last version seen, until `close()`.
   */
  watchPods(resourceVersion: string, onEvent: (ev: WatchEvent, atMs: number) => void, onError: (err: Error) => void): { close(): void } {
    let rv = resourceVersion;
    let closed = false;
    let current: http.ClientRequest | undefined;
    const open = () => {
      if (closed) return;
      const req = https.get({ host: this.url.hostname, port: this.url.port, agent: this.agent, path: `${PODS}?watch=true&resourceVersion=${rv}&allowWatchBookmarks=true` }, (res) => {
        if (res.statusCode !== 200) {
          onError(new Error(`watch pods from ${rv}: status ${res.statusCode}`));
          res.resume();
          return;
        }
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const at = epochMs();
          buf += chunk;
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl).trim();
            buf = buf.slice(nl + 1);
            if (!line) continue;
            const ev = JSON.parse(line) as WatchEvent;
            const v = ev.object?.metadata?.resourceVersion;
            if (v) rv = v;
            onEvent(ev, at);
          }
        });
        res.on('end', () => open());
        res.on('error', () => open());
      });
      req.on('error', (e) => (closed ? undefined : onError(e)));
      current = req;
    };
    open();
    return {
      close: () => {
        closed = true;
        current?.destroy();
      },
    };
  }

  close(): void {
    this.agent.destroy();
  }
}
