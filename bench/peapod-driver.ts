// The peapod side: pods go through the API (keep-alive JSON), readiness and deletion are seen on one
// pods watch. Each start's timeline is kept for the profile.

import { ApiClient, epochMs } from './api-client.js';
import type { BenchDaemon } from './peapod-daemon.js';
import type { PodDriver } from './driver.js';
import type { ExecCommand } from './exec.js';
import { KUBECTL } from '../test/support/daemon.js';
import type { PodManifest } from './pod-specs.js';
import { containerIds } from './pod-state.js';
import { PodTracker } from './pod-tracker.js';
import type { StartTimeline } from './profile.js';
import { cgroupMemoryMB, podsMemory } from './proc-memory.js';

const POD_TIMEOUT_MS = 60_000;
/** Grace for deletes: short, and > 0 so the object stays until the engine has torn the pod down. */
const DELETE_GRACE_S = 1;

export class PeapodDriver implements PodDriver {
  readonly side = 'peapod' as const;
  readonly client: ApiClient;
  readonly timelines: StartTimeline[] = [];
  private readonly tracker = new PodTracker();
  private watch?: { close(): void };

  /** The newest bundled kubectl, over WebSocket, with the daemon's kubeconfig. */
  execCommand(pod: string, container: string): ExecCommand {
    const kubeconfig = this.daemon.paths.kubeconfigPath;
    return { file: KUBECTL, args: (cmd) => ['--kubeconfig', kubeconfig, 'exec', pod, '-c', container, '--', ...cmd] };
  }

  constructor(private readonly daemon: BenchDaemon) {
    this.client = new ApiClient(daemon.cluster);
  }

  /** Opens the pods watch from the current list version. */
  async open(): Promise<void> {
    const list = await this.client.listPods();
    if (list.status !== 200) throw new Error(`list pods: ${list.status}`);
    const rv = String(list.body?.metadata?.resourceVersion ?? '0');
    this.watch = this.client.watchPods(rv, (ev, at) => this.tracker.onEvent(ev, at), (err) => this.tracker.fail(err));
  }

  async start(pod: PodManifest): Promise<number> {
    const name = pod.metadata.name;
    const sentAt = epochMs();
    await this.client.createPod(pod);
    const answeredAt = epochMs();
    const runningAt = await this.tracker.waitRunning(name, POD_TIMEOUT_MS);
    const obj = this.tracker.runningObject.get(name);
    this.timelines.push({ name, sentAt, answeredAt, runningAt, containerIds: obj ? containerIds(obj) : [] });
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
  }

  async removeAll(): Promise<void> {
    const list = await this.client.listPods();
    const names: string[] = (list.body?.items ?? []).map((p: { metadata: { name: string } }) => p.metadata.name);
    await Promise.all(names.map((n) => this.remove(n).catch(() => undefined)));
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
    this.client.close();
  }
}
