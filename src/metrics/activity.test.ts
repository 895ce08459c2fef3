import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActivityMetrics, API_REQUEST_BUCKETS, imageSizeRange, POD_START_BUCKETS } from './activity.js';
import { renderPrometheus } from './prometheus.js';

const lines = (m: ActivityMetrics) => renderPrometheus(m.families()).split('\n');

test('pod starts fill the kubelet\'s pod start histogram, with its buckets', () => {
  const m = new ActivityMetrics();
  m.podStarted(0.4);
  m.podStarted(2.5);
  const text = lines(m);
  assert.ok(text.includes('kubelet_pod_start_duration_seconds_bucket{le="0.5"} 1'));
  assert.ok(text.includes('kubelet_pod_start_duration_seconds_bucket{le="3"} 2'));
  assert.ok(text.includes('kubelet_pod_start_duration_seconds_bucket{le="+Inf"} 2'));
  assert.ok(text.includes('kubelet_pod_start_duration_seconds_sum 2.9'));
  assert.ok(text.includes('kubelet_pod_start_duration_seconds_count 2'));
  assert.equal(text.filter((l) => l.startsWith('kubelet_pod_start_duration_seconds_bucket')).length, POD_START_BUCKETS.length + 1);
});

test('restarts count up; pulls count by result and time only the successful ones, by image size range', () => {
  const m = new ActivityMetrics();
  m.containerRestarted();
  m.containerRestarted();
  m.imagePulled('success', 3, 50 * 1024 * 1024);
  m.imagePulled('failure', 0.2);
  m.imagePulled('failure', 0.1);
  const text = lines(m);
  assert.ok(text.includes('peapod_container_restarts_total 2'));
  assert.ok(text.includes('peapod_image_pulls_total{result="success"} 1'));
  assert.ok(text.includes('peapod_image_pulls_total{result="failure"} 2'));
  assert.ok(text.includes('kubelet_image_pull_duration_seconds_bucket{image_size_in_bytes="10MB-100MB",le="5"} 1'));
  assert.ok(text.includes('kubelet_image_pull_duration_seconds_count{image_size_in_bytes="10MB-100MB"} 1'));
});

test('image sizes fall in the kubelet\'s ranges', () => {
  assert.equal(imageSizeRange(0), '0-10MB');
  assert.equal(imageSizeRange(10 * 1024 * 1024), '10MB-100MB');
  assert.equal(imageSizeRange(2 * 1024 ** 3), '1GB-5GB');
  assert.equal(imageSizeRange(200 * 1024 ** 3), 'GT100GB');
});

test('API requests count by their labels and code, and are timed by their labels with the apiserver\'s buckets', () => {
  const m = new ActivityMetrics();
  const r = { verb: 'LIST', dryRun: '', group: '', version: 'v1', resource: 'pods', subresource: '', scope: 'namespace', seconds: 0.003 };
  m.apiRequest({ ...r, code: 200 });
  m.apiRequest({ ...r, code: 200, seconds: 0.07 });
  m.apiRequest({ ...r, code: 403 });
  const text = lines(m);
  const labels = 'verb="LIST",dry_run="",group="",version="v1",resource="pods",subresource="",scope="namespace",component="apiserver"';
  assert.ok(text.includes(`apiserver_request_total{${labels},code="200"} 2`));
  assert.ok(text.includes(`apiserver_request_total{${labels},code="403"} 1`));
  assert.ok(text.includes(`apiserver_request_duration_seconds_bucket{${labels},le="0.005"} 2`));
  assert.ok(text.includes(`apiserver_request_duration_seconds_bucket{${labels},le="0.1"} 3`));
  assert.ok(text.includes(`apiserver_request_duration_seconds_count{${labels}} 3`));
  assert.equal(text.filter((l) => l.startsWith('apiserver_request_duration_seconds_bucket')).length, API_REQUEST_BUCKETS.length + 1);
});

test('every family is there from the start, each once', () => {
  const names = new ActivityMetrics().families().map((f) => f.name);
  assert.deepEqual(names, [
    'kubelet_pod_start_duration_seconds',
    'peapod_container_restarts_total',
    'peapod_image_pulls_total',
    'kubelet_image_pull_duration_seconds',
    'apiserver_request_total',
    'apiserver_request_duration_seconds',
  ]);
});
