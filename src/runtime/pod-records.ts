// The runtime's sandbox and container records by id, with each pod's beside them: every pod's sync asks
// for its own sandboxes and containers (a label selector on the pod UID), and a scan of all records per
// ask made a burst of 250 pods cost O(pods²) label matches (5% of the loop's busy stretches in a profile
// of a 250-pod delete, issue 7). A record's labels are fixed at its creation.

import { LABEL_POD_UID } from './runtime.js';

export class PodRecords<T extends { config: { labels: Record<string, string> } }> extends Map<string, T> {
  private readonly byPod = new Map<string, Map<string, T>>();

  override set(id: string, rec: T): this {
    this.unindex(id);
    super.set(id, rec);
    const uid = rec.config.labels[LABEL_POD_UID];
    if (uid !== undefined) {
      let of = this.byPod.get(uid);
      if (!of) this.byPod.set(uid, (of = new Map()));
      of.set(id, rec);
    }
    return this;
  }

  override delete(id: string): boolean {
    this.unindex(id);
    return super.delete(id);
  }

  override clear(): void {
    this.byPod.clear();
    super.clear();
  }

  /**
   * The records a label selector can match: those of its pod UID when it names one (in the order they
   * were added), else all.
   */
  candidates(selector?: Record<string, string>): Iterable<T> {
    const uid = selector?.[LABEL_POD_UID];
    if (uid === undefined) return this.values();
    return this.byPod.get(uid)?.values() ?? [];
  }

  private unindex(id: string): void {
    const uid = super.get(id)?.config.labels[LABEL_POD_UID];
    if (uid === undefined) return;
    const of = this.byPod.get(uid);
    of?.delete(id);
    if (of && of.size === 0) this.byPod.delete(uid);
  }
}
