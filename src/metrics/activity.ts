// The counters and histograms behind the recorders (recorder.ts), under the names and buckets upstream
// components give the same figures, so existing dashboards read them:
//
//   kubelet_pod_start_duration_seconds      the kubelet's: node first saw the pod → pod Running
//   peapod_container_restarts_total         containers started again after an earlier instance exited
//   peapod_image_pulls_total{result}        registry pulls, success or failure
//   kubelet_image_pull_duration_seconds     the kubelet's: successful pulls, by image_size_in_bytes range
//   apiserver_request_total                 kube-apiserver's, by verb, dry_run, group, version, resource,
//   apiserver_request_duration_seconds      subresource, scope, component (and code for the counter)

import { Histogram } from '../system/histogram.js';
import { histogramFamily, LabelledCounter, LabelledHistogram, type MetricFamily } from './prometheus.js';
import type { ApiRequestRecorder, ApiRequestSample, ImagePullRecorder, PodLifecycleRecorder } from './recorder.js';

/** The kubelet's podStartupDurationBuckets. */
export const POD_START_BUCKETS = [0.5, 1, 2, 3, 4, 5, 6, 8, 10, 20, 30, 45, 60, 120, 180, 240, 300, 360, 480, 600, 900, 1200, 1800, 2700, 3600];
/** The kubelet's imagePullDurationBuckets. */
export const IMAGE_PULL_BUCKETS = [1, 5, 10, 20, 30, 60, 120, 180, 240, 300, 360, 480, 600, 900, 1200, 1800, 2700, 3600];
/** kube-apiserver's apiserver_request_duration_seconds buckets. */
export const API_REQUEST_BUCKETS = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
/** The kubelet's imageSizeBuckets: lower bound and label. */
const IMAGE_SIZE_RANGES: [number, string][] = [
  [0, '0-10MB'],
  [10 * MiB, '10MB-100MB'],
  [100 * MiB, '100MB-500MB'],
  [500 * MiB, '500MB-1GB'],
  [1 * GiB, '1GB-5GB'],
  [5 * GiB, '5GB-10GB'],
  [10 * GiB, '10GB-20GB'],
  [20 * GiB, '20GB-30GB'],
  [30 * GiB, '30GB-40GB'],
  [40 * GiB, '40GB-60GB'],
  [60 * GiB, '60GB-100GB'],
  [100 * GiB, 'GT100GB'],
];

/** The kubelet's image_size_in_bytes label for an image of `bytes`. */
export function imageSizeRange(bytes: number): string {
  let label = IMAGE_SIZE_RANGES[0]![1];
  for (const [lower, l] of IMAGE_SIZE_RANGES) if (bytes >= lower) label = l;
  return label;
}

export class ActivityMetrics implements PodLifecycleRecorder, ImagePullRecorder, ApiRequestRecorder {
  private readonly podStarts = new Histogram(POD_START_BUCKETS);
  private restarts = 0;
  private readonly pulls = new LabelledCounter();
  private readonly pullDurations = new LabelledHistogram(IMAGE_PULL_BUCKETS);
  private readonly requests = new LabelledCounter();
  private readonly requestDurations = new LabelledHistogram(API_REQUEST_BUCKETS);

  podStarted(seconds: number): void {
    this.podStarts.observe(Math.max(0, seconds));
  }

  containerRestarted(): void {
    this.restarts++;
  }

  imagePulled(result: 'success' | 'failure', seconds: number, sizeBytes?: number): void {
    this.pulls.inc({ result });
    if (result === 'success') this.pullDurations.observe({ image_size_in_bytes: imageSizeRange(sizeBytes ?? 0) }, Math.max(0, seconds));
  }

  apiRequest(r: ApiRequestSample): void {
    const labels = { verb: r.verb, dry_run: r.dryRun, group: r.group, version: r.version, resource: r.resource, subresource: r.subresource, scope: r.scope, component: 'apiserver' };
    this.requests.inc({ ...labels, code: String(r.code) });
    this.requestDurations.observe(labels, Math.max(0, r.seconds));
  }

  families(): MetricFamily[] {
    return [
      histogramFamily('kubelet_pod_start_duration_seconds', 'Duration in seconds from kubelet seeing a pod for the first time to the pod starting to run', this.podStarts.snapshot()),
      { name: 'peapod_container_restarts_total', help: 'Containers started again in their pod after an earlier instance had exited.', type: 'counter', samples: [{ value: this.restarts }] },
      this.pulls.family('peapod_image_pulls_total', 'Image pulls that went to a registry, by result (success, failure).'),
      this.pullDurations.family('kubelet_image_pull_duration_seconds', 'Duration in seconds to pull an image.'),
      this.requests.family('apiserver_request_total', 'Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.'),
      this.requestDurations.family('apiserver_request_duration_seconds', 'Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.'),
    ];
  }
}
