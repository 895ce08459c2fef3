// What the pod manager, the image puller and the API server report as things happen, for /metrics:
// small role interfaces, injected where the events are (never a global), each call a counter bump or
// one histogram observation. ActivityMetrics (activity.ts) implements them all.

/** The pod manager's events (the kubelet's pod start and restart figures). */
export interface PodLifecycleRecorder {
  /** A pod reached Running for the first time, `seconds` after the node first saw it. */
  podStarted(seconds: number): void;
  /** A container was started again in its pod (an instance before it had exited). */
  containerRestarted(): void;
}

/** One image pull that went to a registry: its result, how long it took, and the image's size when pulled. */
export interface ImagePullRecorder {
  imagePulled(result: 'success' | 'failure', seconds: number, sizeBytes?: number): void;
}

/** One API request that passed authentication and authorization, once its reply is done. */
export interface ApiRequestSample {
  verb: string;
  dryRun: string;
  group: string;
  version: string;
  resource: string;
  subresource: string;
  scope: string;
  code: number;
  seconds: number;
}

export interface ApiRequestRecorder {
  apiRequest(r: ApiRequestSample): void;
}
