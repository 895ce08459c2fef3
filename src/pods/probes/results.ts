// The probe results cache (the kubelet's results managers), keyed by container id: what the workers
// last concluded for each probe type of each container instance. The pod worker reads it when it plans
// (liveness and startup failures kill) and when it computes status (readiness → ready, startup → started).

export type ProbeType = 'Liveness' | 'Readiness' | 'Startup';
export type ProbeResult = 'success' | 'failure' | 'unknown';

/** What a container instance starts with: not ready, alive, not started (pod-lifecycle.md §7). */
export const INITIAL_RESULT: Record<ProbeType, ProbeResult> = { Readiness: 'failure', Liveness: 'success', Startup: 'unknown' };

export class ProbeResults {
  private readonly byId = new Map<string, Partial<Record<ProbeType, ProbeResult>>>();

  get(containerId: string, type: ProbeType): ProbeResult | undefined {
    return this.byId.get(containerId)?.[type];
  }

  /** Sets a result; true when it changed. */
  set(containerId: string, type: ProbeType, result: ProbeResult): boolean {
    let r = this.byId.get(containerId);
    if (!r) this.byId.set(containerId, (r = {}));
    if (r[type] === result) return false;
    r[type] = result;
    return true;
  }

  remove(containerId: string, type?: ProbeType): void {
    if (!type) return void this.byId.delete(containerId);
    const r = this.byId.get(containerId);
    if (!r) return;
    delete r[type];
    if (Object.keys(r).length === 0) this.byId.delete(containerId);
  }

}
