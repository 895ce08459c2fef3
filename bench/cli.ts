// cli (issue 17; peapod only in the sense that podman has no kubectl-compatible daemon): the CLI as a user
// runs it, beside kubectl, against the bench's daemon while it is idle with a few pods present. Each run is
// a fresh process: the checkout's bin/peapod.js executed directly (its own first lines pick node, as the
// /usr/local/bin/peapod link does), /usr/bin/kubectl and the kubectl.1.NN it dispatches to, all with the daemon's kubeconfig; `get pods`
// (one request) and `version --client` (start-up, no request). The four commands, and `node -e 0` (node's
// own start-up at that moment: the floor under peapod's), take turns round by round after one untimed round. Wall time: performance.now() from the spawn call to the child's exit
// event. CPU: this process's cutime + cstime (/proc/self/stat) before the spawn and once the child is
// reaped: what the child and its own reaped children used, user + sys, in 10 ms ticks. Every run must
// exit 0; every `get pods` must print exactly the pods the bench started, for both tools.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { statFields } from '../src/system/proc-stat.js';
import { summarize, type LatencySummary } from './stats.js';

/** The issue's bound on `peapod get pods`, p50 wall time, ms. */
export const CLI_GET_TARGET_MS = 120;
/** Clock ticks per second of /proc/PID/stat (USER_HZ). */
const TICK_MS = 10;
const RUN_TIMEOUT_MS = 30_000;

/**
 * kubectl: what a user types, /usr/bin/kubectl (on these machines the Google Cloud SDK's dispatcher: for a
 * command that talks to a server it asks the server's version first, then execs the kubectl.1.NN that
 * matches it); kubectl-direct: that kubectl.1.NN itself, when the bench is given one.
 */
export const CLI_TOOLS = ['peapod', 'kubectl', 'kubectl-direct'] as const;
export type CliTool = (typeof CLI_TOOLS)[number];
export const CLI_COMMANDS = ['get', 'version'] as const;
export type CliCommand = (typeof CLI_COMMANDS)[number];

/** One timed run. */
export interface CliSample {
  wallMs: number;
  cpuMs: number;
}

export interface CliCommandFigures {
  runs: number;
  wall: LatencySummary;
  /** user + sys of the process (and what it reaped), 10 ms ticks per run. */
  cpu: LatencySummary;
}

export interface CliFigures {
  /** Pods `get pods` lists. */
  pods: number;
  get: Record<CliTool, CliCommandFigures>;
  version: Record<CliTool, CliCommandFigures>;
  /** `node -e 0` (the node bin/peapod.js starts, from PATH), run in the same rounds: node's own start-up at that moment, the floor under peapod's. */
  nodeFloor?: CliCommandFigures;
}

/** The argument vectors of each command, after the executable, for a kubeconfig. */
export function cliArgs(tool: CliTool, command: CliCommand, kubeconfig: string, kubectlCacheDir: string): string[] {
  const base = tool === 'peapod' ? ['--kubeconfig', kubeconfig] : ['--kubeconfig', kubeconfig, '--cache-dir', kubectlCacheDir];
  return command === 'get' ? [...base, 'get', 'pods'] : [...base, 'version', '--client'];
}

/**
 * The NAME column of a `get pods` table (kubectl's layout, which peapod follows): the first line must be
 * the header, starting with NAME; each row's first field. No output at all is no pods. Anything else
 * (a header that is not there, a blank row) is an error: the output is not a pods table.
 */
export function podNames(stdout: string): string[] {
  const lines = stdout.split('\n').filter((l, i, all) => !(l === '' && i === all.length - 1));
  if (!lines.length) return [];
  if (!/^NAME\s/.test(lines[0]!)) throw new Error(`not a pods table: its first line is ${JSON.stringify(lines[0]!.slice(0, 80))}`);
  return lines.slice(1).map((l) => {
    const name = l.split(/\s+/)[0] ?? '';
    if (!name) throw new Error(`not a pods table: a row without a name: ${JSON.stringify(l.slice(0, 80))}`);
    return name;
  });
}

/** Why a run's output is not the answer wanted; undefined when it is. */
export function checkOutput(command: CliCommand, code: number | null, stdout: string, expectedPods: readonly string[]): string | undefined {
  if (code !== 0) return `exit ${code}`;
  if (command === 'version') return /^Client Version: \S/m.test(stdout) ? undefined : `no "Client Version:" line in ${JSON.stringify(stdout.slice(0, 120))}`;
  let names: string[];
  try {
    names = podNames(stdout);
  } catch (err) {
    return (err as Error).message;
  }
  const got = [...names].sort();
  const want = [...expectedPods].sort();
  if (got.length === want.length && got.every((n, i) => n === want[i])) return undefined;
  return `listed ${got.join(', ') || 'no pods'}, not ${want.join(', ')}`;
}

export function commandFigures(samples: readonly CliSample[]): CliCommandFigures {
  return { runs: samples.length, wall: summarize(samples.map((s) => s.wallMs)), cpu: summarize(samples.map((s) => s.cpuMs)) };
}

export function cliFigures(pods: number, samples: Record<CliCommand, Record<'peapod' | 'kubectl', readonly CliSample[]> & { 'kubectl-direct'?: readonly CliSample[] }>, nodeFloor?: readonly CliSample[]): CliFigures {
  const each = (c: CliCommand) => ({ peapod: commandFigures(samples[c].peapod), kubectl: commandFigures(samples[c].kubectl), 'kubectl-direct': commandFigures(samples[c]['kubectl-direct'] ?? []) });
  return { pods, get: each('get'), version: each('version'), ...(nodeFloor?.length ? { nodeFloor: commandFigures(nodeFloor) } : {}) };
}

/** peapod's p50 wall time over kubectl's for a command: below 1, peapod is quicker. Undefined unless both are finite and kubectl's is above 0. */
export function cliP50Ratio(f: CliFigures, command: CliCommand): number | undefined {
  const p = f[command].peapod.wall.p50;
  const k = f[command].kubectl.wall.p50;
  return Number.isFinite(p) && Number.isFinite(k) && k > 0 ? p / k : undefined;
}

/** cutime + cstime of this process: the CPU of the children it has reaped, ms (10 ms ticks). */
export function reapedChildrenCpuMs(stat = fs.readFileSync('/proc/self/stat', 'utf8')): number {
  const f = statFields(stat);
  return (Number(f[13]) + Number(f[14])) * TICK_MS;
}

interface RunResult extends CliSample {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** One run to its end: wall time to the exit event, CPU from this process's reaped-children ticks around it. */
function timedRun(file: string, args: string[], signal: AbortSignal): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const cpu0 = reapedChildrenCpuMs();
    const t0 = performance.now();
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], signal, timeout: RUN_TIMEOUT_MS });
    let wallMs = NaN;
    let cpuMs = NaN;
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    // exit: the child has been reaped (its ticks are in cutime/cstime); close: its output has been read.
    child.on('exit', () => {
      wallMs = performance.now() - t0;
      cpuMs = reapedChildrenCpuMs() - cpu0;
    });
    child.on('close', (code) => resolve({ wallMs, cpuMs, code, stdout, stderr }));
  });
}

export interface CliRunOptions {
  /** bin/peapod.js of the checkout, run as a program. */
  peapod: string;
  kubectl: string;
  /** The kubectl.1.NN the dispatcher execs, run directly as a third tool; none when undefined. */
  kubectlDirect?: string;
  kubeconfig: string;
  /** kubectl's discovery cache (the untimed round fills it, as a user's ~/.kube/cache is). */
  kubectlCacheDir: string;
  /** The pods present (default namespace), which every `get pods` must list. */
  pods: readonly string[];
  /** Timed runs of each command. */
  runs: number;
  /** The node to time `node -e 0` of (the floor row); none when undefined. */
  node?: string;
}

/** One untimed round, then `runs` rounds of: get pods by each tool, version --client by each tool (and `node -e 0`). */
export async function runCli(o: CliRunOptions, signal: AbortSignal): Promise<CliFigures> {
  const samples: Record<CliCommand, Record<CliTool, CliSample[]>> = { get: { peapod: [], kubectl: [], 'kubectl-direct': [] }, version: { peapod: [], kubectl: [], 'kubectl-direct': [] } };
  const floor: CliSample[] = [];
  const file = (tool: CliTool) => (tool === 'peapod' ? o.peapod : tool === 'kubectl' ? o.kubectl : o.kubectlDirect!);
  const tools = CLI_TOOLS.filter((t) => t !== 'kubectl-direct' || o.kubectlDirect);
  for (let round = 0; round <= o.runs; round++) {
    for (const command of CLI_COMMANDS) {
      for (const tool of tools) {
        signal.throwIfAborted();
        const args = cliArgs(tool, command, o.kubeconfig, o.kubectlCacheDir);
        const r = await timedRun(file(tool), args, signal);
        const wrong = checkOutput(command, r.code, r.stdout, o.pods);
        if (wrong) {
          const what = round === 0 ? 'the untimed run' : `run ${round}`;
          throw new Error(`${file(tool)} ${args.join(' ')} (${what}): ${wrong}${r.stderr.trim() ? `; stderr: ${r.stderr.trim().split('\n').slice(0, 2).join(' ').slice(0, 300)}` : ''}`);
        }
        if (round > 0) samples[command][tool].push({ wallMs: r.wallMs, cpuMs: r.cpuMs });
      }
    }
    if (o.node) {
      const r = await timedRun(o.node, ['-e', '0'], signal);
      if (r.code !== 0) throw new Error(`${o.node} -e 0: exit ${r.code}: ${r.stderr.trim().slice(0, 300)}`);
      if (round > 0) floor.push({ wallMs: r.wallMs, cpuMs: r.cpuMs });
    }
  }
  return cliFigures(o.pods.length, samples, floor);
}
