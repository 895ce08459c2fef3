// exec (both sides): on one running pod, `kubectl exec POD -- true` one after another (the newest bundled
// kubectl over WebSocket, against the daemon) beside `podman exec CTR true` on the same pod under
// `kube play`: the whole command, as a user waits for it. Then the throughput of stdout: `cat` of a
// 100 MB file made in the container, through `kubectl exec` and `podman exec`, counted on the bench's side.

import { spawn } from 'node:child_process';
import { summarize, type LatencySummary } from './stats.js';

export interface ExecFigures {
  roundTrip: LatencySummary;
  /** MB/s of a 100 MB cat through stdout (the best of three runs: the host's other work only slows it). */
  catMBps?: number;
}

/** The command that runs `cmd` in the pod's container on one side. */
export interface ExecCommand {
  file: string;
  args(cmd: string[]): string[];
  env?: NodeJS.ProcessEnv;
}

export const CAT_BYTES = 100_000_000;

/** Runs one exec to its end; resolves with its wall time and how many bytes it wrote on stdout. */
export function timedExec(c: ExecCommand, cmd: string[], signal: AbortSignal): Promise<{ ms: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(c.file, c.args(cmd), { stdio: ['ignore', 'pipe', 'pipe'], env: c.env ?? process.env, signal });
    let bytes = 0;
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (bytes += b.length));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      if (code !== 0) reject(new Error(`${c.file} ${c.args(cmd).join(' ')}: exit ${code}: ${stderr.trim().slice(0, 300)}`));
      else resolve({ ms, bytes });
    });
  });
}

export async function runExec(c: ExecCommand, count: number, signal: AbortSignal): Promise<ExecFigures> {
  await timedExec(c, ['true'], signal); // warm: the first one pays for cold caches on either side
  const samples: number[] = [];
  for (let i = 0; i < count && !signal.aborted; i++) samples.push((await timedExec(c, ['true'], signal)).ms);
  const figures: ExecFigures = { roundTrip: summarize(samples) };
  await timedExec(c, ['sh', '-c', `head -c ${CAT_BYTES} /dev/zero > /tmp/bench-cat`], signal);
  let best = Infinity;
  for (let i = 0; i < 3 && !signal.aborted; i++) {
    const r = await timedExec(c, ['cat', '/tmp/bench-cat'], signal);
    if (r.bytes !== CAT_BYTES) throw new Error(`cat gave ${r.bytes} bytes, not ${CAT_BYTES}`);
    best = Math.min(best, r.ms);
  }
  if (Number.isFinite(best)) figures.catMBps = CAT_BYTES / 1e6 / (best / 1000);
  return figures;
}
