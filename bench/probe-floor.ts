// A do-nothing prober for the probes scenario's floor: a Node process of its own with the daemon's node
// flags, making the same connections as the daemon's probes — every period, an HTTP GET (answer read,
// connection reset) and a TCP connect (reset at once) to each target, spread over the period — and
// nothing else: no results, no events, no metrics. Its CPU over the window is what the sockets
// themselves cost Node on this host, the floor under the daemon's probing.
//
// Protocol (IPC): { t: 'run', targets: ['10.88.220.5:8080', …], periodMs, warmupMs, windowMs } →
// { user, system, connections } (CPU µs over the window). The channel's end ends the process.

import net from 'node:net';

/** The argument that makes this module the floor prober process. */
export const PROBE_FLOOR_ARG = '--probe-floor';

export interface FloorRun {
  t: 'run';
  targets: string[];
  periodMs: number;
  warmupMs: number;
  windowMs: number;
}

export interface FloorResult {
  user: number;
  system: number;
  connections: number;
}

const REQUEST = (host: string) => `GET / HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: kube-probe/1.33\r\nAccept: */*\r\nConnection: close\r\n\r\n`;

function probeOnce(host: string, port: number, http: boolean, done: () => void): void {
  const s = net.connect({ host, port });
  const end = () => {
    s.resetAndDestroy();
    done();
  };
  s.once('error', () => s.destroy());
  s.setTimeout(1000, () => s.destroy());
  if (!http) {
    s.once('connect', end);
    return;
  }
  s.once('connect', () => s.write(REQUEST(`${host}:${port}`)));
  s.once('data', end);
}

function run(msg: FloorRun): Promise<FloorResult> {
  const timers: NodeJS.Timeout[] = [];
  let connections = 0;
  msg.targets.forEach((target, i) => {
    const [host, portText] = target.split(':');
    const port = Number(portText);
    // Spread over the period as the daemon's jittered workers are.
    const offset = (i * msg.periodMs) / msg.targets.length;
    timers.push(
      setTimeout(() => {
        const tick = () => {
          probeOnce(host!, port, true, () => connections++);
          probeOnce(host!, port, false, () => connections++);
        };
        tick();
        timers.push(setInterval(tick, msg.periodMs));
      }, offset),
    );
  });
  return new Promise((resolve) => {
    setTimeout(() => {
      const c0 = process.cpuUsage();
      const n0 = connections;
      setTimeout(() => {
        const c = process.cpuUsage(c0);
        for (const t of timers) clearTimeout(t);
        resolve({ user: c.user, system: c.system, connections: connections - n0 });
      }, msg.windowMs);
    }, msg.warmupMs);
  });
}

if (process.argv[2] === PROBE_FLOOR_ARG && process.send) {
  process.on('disconnect', () => process.exit(0));
  process.once('message', (msg: FloorRun) => {
    void run(msg).then((r) => process.send!(r));
  });
}
