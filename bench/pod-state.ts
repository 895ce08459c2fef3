// Reading pod objects from watch events: is every app container running? Pure.

export interface PodObject {
  metadata?: { name?: string; resourceVersion?: string; deletionTimestamp?: string };
  spec?: { containers?: unknown[] };
  status?: {
    phase?: string;
    containerStatuses?: { name?: string; containerID?: string; state?: { running?: unknown; waiting?: unknown; terminated?: unknown } }[];
  };
}

/** True when the pod lists a running status for every container of its spec (init containers aside). */
export function allContainersRunning(pod: PodObject): boolean {
  const want = pod.spec?.containers?.length ?? 0;
  const statuses = pod.status?.containerStatuses ?? [];
  if (want === 0 || statuses.length < want) return false;
  return statuses.filter((s) => s.state?.running !== undefined && s.state.running !== null).length >= want;
}

/** Container ids ("runc://<id>" → "<id>") of the pod's app containers, for matching daemon log lines. */
export function containerIds(pod: PodObject): string[] {
  return (pod.status?.containerStatuses ?? [])
    .map((s) => s.containerID ?? '')
    .filter(Boolean)
    .map((id) => id.replace(/^[a-z]+:\/\//, ''));
}
