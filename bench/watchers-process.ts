// The watchers scenario's watch connections, in a process of their own (as the request sampler is), so
// the bench's pod creation does not delay their reads, at the daemon's priority (as the reference server): N pods watches, each on its own TLS connection with
// the kubeconfig's client certificate, all from one resourceVersion. Each event line is read cheaply
// (watch-fanout.ts) and kept with the time its chunk arrived.
//
// Protocol (IPC): { t: 'init', cluster, paths, resourceVersion } → { t: 'ready' } once every watch answered
// 200 (or { t: 'failed', error }); { t: 'await', pods, timeoutMs } → { t: 'done' } once every watcher has
// had every one of `pods` Running (or { t: 'timeout' }); 'collect' → { t: 'logs', logs, errors }; 'close',
// or the channel's end, ends the process.

import type http from 'node:http';
import https from 'node:https';
import type { ClusterConfig } from '../src/cli/kubeconfig.js';
import { epochMs } from './api-client.js';
import { parseEventLine, type Arrival } from './watch-fanout.js';
import { LOOP_NICE, raiseSessionPriority, setAllThreadsNice } from '../src/system/thread-priority.js';

export const WATCHERS_ARG = '--bench-watchers';

export type WatchersRequest =
  | { t: 'init'; cluster: ClusterConfig; paths: string[]; resourceVersion: string }
  | { t: 'await'; pods: string[]; timeoutMs: number }
  | 'collect'
  | 'close';

export type WatchersReply =
  | { t: 'ready' }
  | { t: 'failed'; error: string }
  | { t: 'done' }
  | { t: 'timeout'; watchersDone: number }
  | { t: 'logs'; logs: Arrival[][]; errors: string[] };

interface Watcher {
  log: Arrival[];
  running: Set<string>;
  req?: http.ClientRequest;
}

if (process.argv[2] === WATCHERS_ARG && process.send) {
  const send = (m: WatchersReply) => process.send!(m);
  const watchers: Watcher[] = [];
  const errors: string[] = [];
  let awaiting: { pods: Set<string>; done: number; resolve: () => void } | undefined;
  let agent: https.Agent | undefined;

  const onArrival = (w: Watcher, a: Arrival) => {
    w.log.push(a);
    if (!a.running || a.type === 'DELETED' || !awaiting?.pods.has(a.name) || w.running.has(a.name)) return;
    w.running.add(a.name);
    if (w.running.size === awaiting.pods.size && ++awaiting.done === watchers.length) awaiting.resolve();
  };

  const open = (cluster: ClusterConfig, path: string, rv: string) =>
    new Promise<Watcher>((resolve, reject) => {
      const url = new URL(cluster.server);
      const w: Watcher = { log: [], running: new Set() };
      w.req = https.get({ host: url.hostname, port: url.port, agent, path: `${path}?watch=true&resourceVersion=${rv}` }, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          return reject(new Error(`watch ${path}: status ${res.statusCode}`));
        }
        resolve(w);
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const atMs = epochMs();
          buf += chunk;
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const ev = parseEventLine(buf.slice(0, nl));
            buf = buf.slice(nl + 1);
            if (ev) onArrival(w, { ...ev, atMs });
          }
        });
        res.on('end', () => errors.push(`watch ${path} ended by the server`));
        res.on('error', (e) => errors.push(`watch ${path}: ${e.message}`));
      });
      w.req.on('error', (e: Error) => (watchers.includes(w) ? errors.push(`watch ${path}: ${e.message}`) : reject(e)));
    });

  process.on('disconnect', () => process.exit(0));
  process.on('message', (msg: WatchersRequest) => {
    if (msg === 'close') {
      for (const w of watchers) w.req?.destroy();
      agent?.destroy();
      process.disconnect?.();
    } else if (msg === 'collect') {
      send({ t: 'logs', logs: watchers.map((w) => w.log), errors });
    } else if (msg.t === 'init') {
      // At the daemon's priority, in a session of its own (detached), as the reference server: on a busy
      // host a reader at the default priority waits for a core behind everything else, and the lag would
      // be its wait, not the daemon's delivery.
      setAllThreadsNice(LOOP_NICE);
      raiseSessionPriority(LOOP_NICE);
      const { cluster } = msg;
      agent = new https.Agent({ keepAlive: true, maxSockets: Infinity, ca: cluster.ca, cert: cluster.cert, key: cluster.key });
      Promise.all(msg.paths.map((p) => open(cluster, p, msg.resourceVersion))).then(
        (ws) => {
          watchers.push(...ws);
          send({ t: 'ready' });
        },
        (err: Error) => send({ t: 'failed', error: err.message }),
      );
    } else if (msg.t === 'await') {
      const pods = new Set(msg.pods);
      const timer = setTimeout(() => send({ t: 'timeout', watchersDone: awaiting?.done ?? 0 }), msg.timeoutMs);
      awaiting = { pods, done: 0, resolve: () => (clearTimeout(timer), send({ t: 'done' })) };
      // Arrivals before the request (none, when it comes before the creates) count too.
      for (const w of watchers) {
        w.running.clear();
        for (const a of w.log) if (a.running && a.type !== 'DELETED' && pods.has(a.name)) w.running.add(a.name);
        if (w.running.size === pods.size) awaiting.done++;
      }
      if (awaiting.done === watchers.length) awaiting.resolve();
    }
  });
}
