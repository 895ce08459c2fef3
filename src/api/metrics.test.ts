import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DaemonMetrics, histogramFamily, metricFamilies, renderPrometheus } from './metrics.js';
import { ActivityMetrics } from '../metrics/activity.js';
import { startHarness } from './testing/harness.js';

test('renders families in the Prometheus text format, with HELP, TYPE, labels and +Inf', () => {
  const text = renderPrometheus([
    { name: 'a_total', help: 'A counter\nwith two lines.', type: 'counter', samples: [{ value: 3 }] },
    { name: 'b', help: 'A gauge.', type: 'gauge', samples: [{ labels: { window: '1s', note: 'say "hi"\\' }, value: 0.25 }] },
    histogramFamily('c_seconds', 'A histogram.', { buckets: [{ le: 0.5, count: 1 }, { le: Infinity, count: 2 }], count: 2, sum: 1.75 }),
  ]);
  assert.equal(
    text,
    [
      '# HELP a_total A counter\\nwith two lines.',
      '# TYPE a_total counter',
      'a_total 3',
      '# HELP b A gauge.',
      '# TYPE b gauge',
      'b{window="1s",note="say \\"hi\\"\\\\"} 0.25',
      '# HELP c_seconds A histogram.',
      '# TYPE c_seconds histogram',
      'c_seconds_bucket{le="0.5"} 1',
      'c_seconds_bucket{le="+Inf"} 2',
      'c_seconds_sum 1.75',
      'c_seconds_count 2',
      '',
    ].join('\n'),
  );
});

test('the daemon families carry loop delay, its windowed max, spawns, CPU, memory and heap', () => {
  const families = metricFamilies({
    loopDelay: { histogram: { buckets: [{ le: Infinity, count: 4 }], count: 4, sum: 0.01 }, max: [{ windowS: 1, seconds: 0.004 }, { windowS: 10, seconds: 0.02 }] },
    spawns: { buckets: [{ le: Infinity, count: 2 }], count: 2, sum: 0.006 },
    spawnsRunning: { buckets: [{ le: Infinity, count: 2 }], count: 2, sum: 0.0015 },
    memory: { rss: 80e6, heapTotal: 30e6, heapUsed: 20e6, external: 1e6 },
    cpu: { user: 1_500_000, system: 500_000 },
    startTime: 1_700_000_000,
  });
  const text = renderPrometheus(families);
  for (const line of [
    'peapod_event_loop_delay_seconds_bucket{le="+Inf"} 4',
    'peapod_event_loop_delay_seconds_count 4',
    'peapod_event_loop_delay_max_seconds{window="1s"} 0.004',
    'peapod_event_loop_delay_max_seconds{window="10s"} 0.02',
    'peapod_spawns_total 2',
    'peapod_spawn_blocked_seconds_sum 0.006',
    'peapod_spawn_blocked_running_seconds_sum 0.0015',
    'process_cpu_seconds_total 2',
    'process_cpu_user_seconds_total 1.5',
    'process_resident_memory_bytes 80000000',
    'process_start_time_seconds 1700000000',
    'nodejs_heap_size_used_bytes 20000000',
    'nodejs_heap_size_total_bytes 30000000',
  ]) {
    assert.ok(text.split('\n').includes(line), `missing: ${line}`);
  }
  const names = families.map((f) => f.name);
  assert.equal(new Set(names).size, names.length, 'each family once');
});

test('a helper spawn counts its blocked time whole, and less the wait for a core in the running family', () => {
  const m = new DaemonMetrics();
  m.recordHelperSpawn(0.003, 0.0025);
  const text = m.render();
  assert.match(text, /^peapod_spawn_blocked_seconds_sum 0\.003$/m);
  assert.match(text, /^peapod_spawn_blocked_running_seconds_sum 0\.0005\d*$/m);
  assert.match(text, /^peapod_spawn_blocked_running_seconds_bucket\{le="0\.001"\} 1$/m);
});

test('a live DaemonMetrics renders this process: its RSS and every loop-delay bucket', () => {
  const m = new DaemonMetrics();
  m.start();
  try {
    const text = m.render();
    const rss = Number(/^process_resident_memory_bytes (\d+)$/m.exec(text)?.[1]);
    assert.ok(rss > 10e6, `rss ${rss}`);
    for (const le of ['0.001', '0.01', '0.05', '1', '+Inf']) assert.match(text, new RegExp(`^peapod_event_loop_delay_seconds_bucket\\{le="${le.replace('+', '\\+')}"\\} \\d+$`, 'm'));
  } finally {
    m.stop();
  }
});

test('families added as sources come after the daemon\'s own, read at each scrape; one that throws is left out', () => {
  const m = new DaemonMetrics();
  let n = 0;
  m.addSource(() => [{ name: 'x_total', help: 'X.', type: 'counter', samples: [{ value: ++n }] }]);
  m.addSource(() => {
    throw new Error('broken');
  });
  assert.match(m.render(), /^x_total 1$/m);
  assert.match(m.render(), /^x_total 2$/m);
  assert.match(m.render(), /^process_resident_memory_bytes \d+$/m);
});

test('the API server counts and times each admitted resource request when it is done, not discovery or rejected ones', async () => {
  const activity = new ActivityMetrics();
  const h = startHarness({ requests: activity });
  try {
    assert.equal((await h.request('admin', { method: 'GET', url: '/api/v1/namespaces/default/pods' })).statusCode, 200);
    assert.equal((await h.request('admin', { method: 'GET', url: '/api/v1/namespaces/default/pods/nope' })).statusCode, 404);
    assert.equal((await h.request('admin', { method: 'GET', url: '/apis' })).statusCode, 200);
    assert.equal((await h.request('nobody', { method: 'GET', url: '/api/v1/secrets' })).statusCode, 403);
    const text = renderPrometheus(activity.families());
    const l = (verb: string, scope: string) => `verb="${verb}",dry_run="",group="",version="v1",resource="pods",subresource="",scope="${scope}",component="apiserver"`;
    assert.match(text, new RegExp(`^apiserver_request_total\\{${l('LIST', 'namespace')},code="200"\\} 1$`, 'm'));
    assert.match(text, new RegExp(`^apiserver_request_total\\{${l('GET', 'resource')},code="404"\\} 1$`, 'm'));
    assert.match(text, new RegExp(`^apiserver_request_duration_seconds_count\\{${l('LIST', 'namespace')}\\} 1$`, 'm'));
    assert.equal(text.split('\n').filter((x) => x.startsWith('apiserver_request_total{')).length, 2, 'discovery and the 403 are not counted');
  } finally {
    h.close();
  }
});
