// The peapod side: pods go through the API (keep-alive JSON), readiness and deletion are seen on one
// pods watch. Each start's timeline is kept for the profile. After the daemon served again (start-warm),
// reconnect() opens a new client and watch.

import fs from 'node:fs';
import { ApiClient, epochMs } from './api-client.js';
import type { BenchDaemon } from './peapod-daemon.js';
import type { PodDriver } from './driver.js';
import type { ExecCommand } from './exec.js';
import { KUBECTL } from '../test/support/daemon.js';
import { claimVolumeDirs, type ClaimManifest, type PodManifest } from './pod-specs.js';
import { containerIds } from './pod-state.js';
import { parsePrometheusText, type PromSample } from './prom-text.js';
import { PodTracker } from './pod-tracker.js';
import type { StartTimeline } from './profile.js';
import { cgroupMemoryMB, podsMemory } from './proc-memory.js';

const POD_TIMEOUT_MS = 60_000;
/** Grace for deletes: short, and > 0 so the object stays until the engine has torn the pod down. */
const DELETE_GRACE_S = 1;
const VOLUME_GONE_TIMEOUT_MS = 60_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class PeapodDriver implements PodDriver {
  readonly side = 'peapod' as const;
  readonly timelines: StartTimeline[] = [];
  private api: ApiClient;
  private tracker = new PodTracker();
  /** The claims (name, uid) each pod was started with, deleted after it. */
  private readonly claimsOf = new Map<string, { name: string; uid: string }[]>();
  private watch?: { close(): void };

  /** The newest bundled kubectl, over WebSocket, with the daemon's kubeconfig. */
  execCommand(pod: string, container: string): ExecCommand {
    const kubeconfig = this.daemon.paths.kubeconfigPath;
    return { file: KUBECTL, args: (cmd) => ['--kubeconfig', kubeconfig, 'exec', pod, '-c', container, '--', ...cmd] };
  }

  constructor(private readonly daemon: BenchDaemon) {
    this.api = new ApiClient(daemon.cluster);
  }

  /** The API client of the daemon now serving (a new one after reconnect()). */
  get client(): ApiClient {
    return this.api;
  }

  /** Opens the pods watch from the current list version. */
  async open(): Promise<void> {
    const list = await this.client.listPods();
    if (list.status !== 200) throw new Error(`list pods: ${list.status}`);
    const rv = String(list.body?.metadata?.resourceVersion ?? '0');
    // Bound to this tracker: a late error of a watch closed by reconnect() fails nobody's wait.
    const tracker = this.tracker;
    this.watch = this.client.watchPods(rv, (ev, at) => tracker.onEvent(ev, at), (err) => tracker.fail(err));
  }

  /**
   * After the daemon served again (a new process, maybe on a new port): the old connections and watch are
   * closed, a new client and a new pods watch are opened. Timelines stay; what the old watch saw does not.
   */
  async reconnect(): Promise<void> {
    this.close();
    this.api = new ApiClient(this.daemon.cluster);
    this.tracker = new PodTracker();
    this.claimsOf.clear();
    await this.open();
  }

  /** One scrape of the daemon's /metrics, parsed. */
  async metrics(): Promise<PromSample[]> {
    const r = await this.client.request('GET', '/metrics', undefined, { accept: 'text/plain', raw: true });
    if (r.status !== 200 || typeof r.body !== 'string') throw new Error(`GET /metrics answered ${r.status}`);
    return parsePrometheusText(r.body);
  }

  async start(pod: PodManifest, claims: readonly ClaimManifest[] = []): Promise<number> {
    const name = pod.metadata.name;
    const sentAt = epochMs();
    // One after another, each once the previous is answered, as kubectl apply -f goes through a file.
    const made: { name: string; uid: string }[] = [];
    for (const c of claims) made.push({ name: c.metadata.name, uid: (await this.client.createClaim(c)).metadata.uid });
    if (made.length) this.claimsOf.set(name, made);
    await this.client.createPod(pod);
    const answeredAt = epochMs();
    const runningAt = await this.tracker.waitRunning(name, POD_TIMEOUT_MS);
    const obj = this.tracker.runningObject.get(name);
    this.timelines.push({ name, sentAt, answeredAt, runningAt, containerIds: obj ? containerIds(obj) : [] });
    // Not timed: a pod that ran without its claim's volume would be a wrong figure.
    for (const c of made) if (!this.volumeDirs(c.uid).length) throw new Error(`pod ${name} runs, but claim ${c.name} has no volume directory in ${this.daemon.paths.storageDir}`);
    return runningAt - sentAt;
  }

  /** When the pods watch first showed every container of `name` running (epoch ms), however it was made. */
  waitRunning(name: string, timeoutMs = POD_TIMEOUT_MS): Promise<number> {
    return this.tracker.waitRunning(name, timeoutMs);
  }

  /** When the pods watch showed `name` deleted (epoch ms). */
  waitGone(name: string, timeoutMs = POD_TIMEOUT_MS): Promise<number> {
    return this.tracker.waitGone(name, timeoutMs);
  }

  async remove(name: string): Promise<void> {
    await this.client.deletePod(name, DELETE_GRACE_S);
    await this.tracker.waitGone(name, POD_TIMEOUT_MS);
    const claims = this.claimsOf.get(name) ?? [];
    for (const c of claims) await this.client.deleteClaim(c.name);
    for (const c of claims) await this.waitVolumesGone(c.uid);
    this.claimsOf.delete(name);
  }

  /** Every pod, then every claim left, until no volume directory is left in the storage dir. */
  async removeAll(): Promise<void> {
    const list = await this.client.listPods();
    const names: string[] = (list.body?.items ?? []).map((p: { metadata: { name: string } }) => p.metadata.name);
    await Promise.all(names.map((n) => this.remove(n).catch(() => undefined)));
    const claims = await this.client.listClaims();
    if (claims.status !== 200) throw new Error(`list claims: ${claims.status}`);
    for (const c of claims.body?.items ?? []) await this.client.deleteClaim(c.metadata.name as string);
    this.claimsOf.clear();
    await this.waitVolumesGone();
  }

  /** Until the storage dir holds no volume directory (of the claim with `uid`, or of any). */
  private async waitVolumesGone(uid?: string): Promise<void> {
    const deadline = Date.now() + VOLUME_GONE_TIMEOUT_MS;
    while (this.volumeDirs(uid).length) {
      if (Date.now() > deadline) throw new Error(`volume directories still in ${this.daemon.paths.storageDir} after ${VOLUME_GONE_TIMEOUT_MS / 1000} s: ${this.volumeDirs(uid).join(', ')}`);
      await sleep(50);
    }
  }

  /** The local-path volume directories in the storage dir (of the claim with `uid`, or all). */
  private volumeDirs(uid?: string): string[] {
    const dir = this.daemon.paths.storageDir;
    return claimVolumeDirs(fs.existsSync(dir) ? fs.readdirSync(dir) : [], uid);
  }

  async memory(pods: number) {
    const m = podsMemory(this.daemon.paths.runcRoot);
    const cg = cgroupMemoryMB(this.daemon.paths.cgroupParent);
    return {
      daemonRssMB: this.daemon.rssMB(),
      perPodPssMB: m.pssMB / pods,
      perPodRssMB: m.rssMB / pods,
      perPodCgroupMB: cg === undefined ? undefined : cg / pods,
    };
  }

  close(): void {
    this.watch?.close();
    this.watch = undefined;
    this.client.close();
  }
}
