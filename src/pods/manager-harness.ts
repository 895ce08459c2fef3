// The pod manager test harness (not used by the daemon): a PodManager over FakeRuntime, a FakeClock,
// an in-memory SqliteStore, fake images and volumes, and a recording event sink.

import type { PullOptions } from '../images/registry/types.js';
import type { Image, ImageService } from '../images/images.js';
import type { EventSink } from '../k8s/events.js';
import { RESOURCES } from '../k8s/registry.js';
import type { ObjectMeta, ObjectReference, Pod, PodSpec, Probe } from '../k8s/types.js';
import { nodePaths } from '../node/paths.js';
import { FakeRuntime } from '../runtime/fake.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { FakeClock, type Clock } from '../system/clock.js';
import { silentLogger } from '../system/logger.js';
import type { MountedVolume, VolumeManager } from '../volumes/volumes.js';
import { PodManager } from './manager.js';
import type { ProbeOutcome, ProbeRunner, ProbeTarget } from './probes/runner.js';
import type { ProbeType } from './probes/results.js';
import { T0 } from './test-fixtures.js';

/** Lets pending promise chains run without advancing the clock (a pass in flight stays in flight). */
export const settle = async () => {
  // Loop turns too: a pass starts, and writes its status, on turns of its own (LoopTurns).
  for (let turn = 0; turn < 10; turn++) {
    for (let i = 0; i < 200; i++) await Promise.resolve();
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
};

export class FakeImages implements ImageService {
  readonly present = new Map<string, Image>();
  readonly pulls: string[] = [];
  /** Images whose pull succeeds, with how long it takes on the fake clock (ms); others fail. */
  readonly pullable = new Map<string, number>();
  constructor(private readonly clock: Clock) {}
  add(ref: string): void {
    this.present.set(ref, {
      id: 'sha256:' + ref.length.toString(16).padStart(64, '0'),
      repoTags: [ref],
      repoDigests: [],
      size: 1000,
      createdAt: T0,
      config: { entrypoint: [], cmd: ['sh'], env: ['PATH=/bin'], workingDir: '', user: '', stopSignal: '', exposedPorts: [], labels: {} },
      layers: [],
    });
  }
  async imageStatus(ref: string) {
    return this.present.get(ref);
  }
  async listImages() {
    return [...this.present.values()];
  }
  async removeImage(): Promise<void> {}
  async loadArchive(): Promise<Image[]> {
    throw new Error('fake images: loadArchive not supported');
  }
  async importRootfs(): Promise<Image> {
    throw new Error('fake images: importRootfs not supported');
  }
  async prune() {
    return { deleted: [], reclaimedBytes: 0, failed: [] };
  }
  /** The options of every pull, in order. */
  readonly pullOptions: PullOptions[] = [];
  async pullImage(ref: string, opts: PullOptions = {}): Promise<Image> {
    this.pulls.push(ref);
    this.pullOptions.push(opts);
    const ms = this.pullable.get(ref);
    if (ms === undefined) throw new Error(`pull access denied for ${ref}`);
    await this.clock.sleep(ms);
    this.add(ref);
    return this.present.get(ref)!;
  }
  async prepareRootfs() {
    return { mergedDir: '/x' };
  }
  async releaseRootfs(): Promise<void> {}
  async rootfsUsage(): Promise<Map<string, number>> {
    return new Map();
  }
}

export class FakeVolumes implements VolumeManager {
  readonly setUps: string[] = [];
  readonly tearDowns: string[] = [];
  /** The liveUids of each gc call, sorted. */
  readonly gcs: string[][] = [];
  /** Pod UIDs whose teardown fails (recorded all the same). */
  readonly failTearDown = new Set<string>();
  async setUpPodVolumes(pod: Pod) {
    this.setUps.push(pod.metadata.uid ?? '');
    return new Map<string, MountedVolume>();
  }
  async tearDownPodVolumes(uid: string) {
    this.tearDowns.push(uid);
    if (this.failTearDown.has(uid)) throw new Error(`fake: tear down volumes of pod ${uid}: device busy`);
  }
  async gc(liveUids: Set<string>) {
    this.gcs.push([...liveUids].sort());
  }
}

interface Ev {
  fieldPath?: string;
  type: string;
  reason: string;
  message: string;
}
export class RecordingEvents implements EventSink {
  readonly events: Ev[] = [];
  record(involved: ObjectReference, type: string, reason: string, message: string): void {
    this.events.push({ fieldPath: involved.fieldPath, type, reason, message });
  }
  reasons(): string[] {
    return this.events.map((e) => e.reason);
  }
}

/** Scripted probe outcomes by `${container}/${type}` (default success); records each attempt. */
export class FakeProbeRunner implements ProbeRunner {
  readonly outcomes = new Map<string, ProbeOutcome>();
  readonly attempts: { container: string; type: ProbeType; containerId: string; at: number }[] = [];
  constructor(private readonly clock: Clock) {}
  set(container: string, type: ProbeType, result: ProbeOutcome['result'], output = ''): void {
    this.outcomes.set(`${container}/${type}`, { result, output });
  }
  async run(probe: Probe, t: ProbeTarget): Promise<ProbeOutcome> {
    const c = t.container;
    const type: ProbeType = probe === c.livenessProbe ? 'Liveness' : probe === c.readinessProbe ? 'Readiness' : 'Startup';
    this.attempts.push({ container: c.name, type, containerId: t.containerId, at: this.clock.now() });
    return this.outcomes.get(`${c.name}/${type}`) ?? { result: 'success', output: '' };
  }
  count(container: string, type: ProbeType): number {
    return this.attempts.filter((a) => a.container === container && a.type === type).length;
  }
}

export function harness() {
  const clock = new FakeClock(T0);
  const runtime = new FakeRuntime({ clock });
  const store = new SqliteStore({ path: ':memory:', resources: RESOURCES, clock });
  const images = new FakeImages(clock);
  images.add('busybox:1.36');
  const volumes = new FakeVolumes();
  const events = new RecordingEvents();
  const probes = new FakeProbeRunner(clock);
  /** Disk usage the fake `du` reports, by path (absent paths are missing). */
  const disk = new Map<string, number>();
  const newManager = (extra: Partial<ConstructorParameters<typeof PodManager>[0]> = {}) =>
    new PodManager({
      store, runtime, images, volumes, events, clock,
      containerMounts: async () => [],
      logger: silentLogger(),
      nodeName: 'node1',
      nodeIP: '192.168.1.2',
      paths: nodePaths('/tmp/peapod-pods-unit'),
      hostResolvConf: '/nonexistent/resolv.conf',
      nodeCpuMilli: 2000,
      nodeMemoryBytes: 4 << 30,
      probeRunner: probes,
      random: () => 0,
      diskUsage: async (paths: string[]) => new Map(paths.flatMap((p) => (disk.has(p) ? [[p, disk.get(p)!] as const] : []))),
      ...extra,
    });
  const mgr = newManager();
  const h = {
    clock, runtime, store, images, volumes, events, probes, mgr, newManager, disk,
    create(spec: Partial<PodSpec>, name = 'p', meta: Partial<ObjectMeta> = {}): Pod {
      const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', ...meta }, spec: { nodeName: 'node1', containers: [{ name: 'c', image: 'busybox:1.36' }], ...spec } } as Pod;
      return store.create('pods', pod);
    },
    /** A graceful delete as the API marks it: deletionTimestamp = now + grace (a shorter grace moves it). */
    markDeleted(graceSeconds: number, name = 'p'): Pod {
      return store.modify<Pod>('pods', 'default', name, (p) => ({
        ...p,
        metadata: { ...p.metadata, deletionTimestamp: new Date(clock.now() + graceSeconds * 1000).toISOString(), deletionGracePeriodSeconds: graceSeconds },
      }));
    },
    pod(name = 'p'): Pod {
      return store.get<Pod>('pods', 'default', name);
    },
    status(name = 'p', c = 'c') {
      const s = h.pod(name).status;
      return [...(s?.containerStatuses ?? []), ...(s?.initContainerStatuses ?? [])].find((x) => x.name === c);
    },
    /** Advances the fake clock second by second, letting workers run in between. */
    async step(seconds: number): Promise<void> {
      for (let i = 0; i < seconds; i++) {
        clock.advance(1000);
        await mgr.idle();
      }
    },
    /** Like step, without waiting for passes to end (a pass may be waiting on the fake clock itself). */
    async tick(seconds: number): Promise<void> {
      for (let i = 0; i < seconds; i++) {
        clock.advance(1000);
        await settle();
      }
    },
    newest(uid: string, name = 'c') {
      return runtime.containersNamed(uid, name)[0];
    },
  };
  return h;
}
