// Command-line options of `npm run bench -- [options]`. Pure.

export interface BenchArgs {
  /** apt-get install podman when missing. */
  withPodman: boolean;
  podman: boolean;
  peapod: boolean;
  /** The peapod CLI entry to run the daemon with; default: peapod-cli.js next to the bench. */
  peapodCli?: string;
  /** Where to write the report; undefined = BENCHMARKS.md at the repo root. */
  out?: string;
  write: boolean;
  /** Smaller counts, for trying the harness. */
  quick: boolean;
  /** Run only these scenarios (SCENARIOS); undefined = all. */
  only?: string[];
}

/**
 * Scenario ids, in the order they run; api, load and start-warm are peapod's only. start-loaded (start-1
 * with pods already running) sets its p99 against start-1's of the same run: select both. start-warm
 * (start-1 on a daemon with a warm pool of sandboxes) sets its p50 against podman's start-1 of the same run.
 * cli (the CLI beside kubectl, peapod only) runs first, while the daemon is idle.
 */
export const SCENARIOS = ['cli', 'start-1', 'start-warm', 'start-init', 'start-pvc', 'churn', 'density', 'start-loaded', 'exec', 'api', 'dashboard', 'load', 'probes', 'watchers', 'api-auth', 'pull'] as const;
const PEAPOD_ONLY = new Set(['cli', 'start-warm', 'api', 'load', 'probes', 'watchers', 'api-auth', 'dashboard']);

/** Whether the run includes scenario `id`; api runs over density's pods, so it brings density along. */
export function selected(a: BenchArgs, id: (typeof SCENARIOS)[number]): boolean {
  if (!a.only) return true;
  return a.only.includes(id) || (id === 'density' && a.only.includes('api'));
}

/** Whether any selected scenario has a podman side. */
export function wantsPodman(a: BenchArgs): boolean {
  return SCENARIOS.some((id) => !PEAPOD_ONLY.has(id) && selected(a, id));
}

export const USAGE = `usage: npm run bench -- [--with-podman] [--no-podman] [--no-peapod] [--peapod-cli PATH] [--out FILE] [--no-write] [--quick] [--only S,…]
  --with-podman     install podman (apt-get) when it is missing, for the comparison column
  --no-podman       skip the podman column
  --no-peapod       skip the peapod column (the report is then not written)
  --peapod-cli PATH the peapod CLI entry the daemon runs from (default: the one built with the bench)
  --out FILE        write the report there instead of BENCHMARKS.md
  --no-write        print only
  --quick           fewer pods per scenario (trial runs; not for BENCHMARKS.md)
  --only S,…        run only these scenarios: ${SCENARIOS.join(', ')} (api brings density along;
                    start-loaded is set against start-1 only when both run; start-warm, peapod only,
                    runs start-1's pods on the daemon served again with --warm-pool 1, set against
                    podman's start-1 when both run; dashboard, peapod only, times the page's first
                    render in chromium over density's pods when density ran, else over pods of its own;
                    cli, peapod only, runs first: \`peapod get pods\` and \`version --client\` beside
                    kubectl's, each a fresh process, the daemon idle with a few pods of its own)`;

export function parseArgs(argv: string[]): BenchArgs {
  const a: BenchArgs = { withPodman: false, podman: true, peapod: true, write: true, quick: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value\n${USAGE}`);
      return v;
    };
    switch (arg) {
      case '--with-podman': a.withPodman = true; break;
      case '--no-podman': a.podman = false; break;
      case '--no-peapod': a.peapod = false; break;
      case '--peapod-cli': a.peapodCli = value(); break;
      case '--out': a.out = value(); break;
      case '--no-write': a.write = false; break;
      case '--quick': a.quick = true; break;
      case '--only': {
        const ids = value().split(',').map((x) => x.trim()).filter(Boolean);
        const bad = ids.filter((x) => !(SCENARIOS as readonly string[]).includes(x));
        if (bad.length || !ids.length) throw new Error(`--only: unknown scenario ${bad.join(', ') || '(none)'}\n${USAGE}`);
        a.only = ids;
        break;
      }
      default: throw new Error(`unknown option ${arg}\n${USAGE}`);
    }
  }
  return a;
}

export interface Counts {
  start1: number;
  execs: number;
  startInit: number;
  /** podman's start-init: fewer pods: kube play with an init container is slow on podman 4.3.1. */
  podmanStartInit: number;
  churn: number;
  density: number;
  /** start-loaded: pods running in the background while start-1's sequence (start1 pods) is timed. */
  startLoadedBackground: number;
  apiList: number;
  apiGet: number;
  /** load: pods in the burst; pods stored for the idle list, then the large one; requests per list figure. */
  loadPods: number;
  loadStoredIdle: number;
  loadStored: number;
  loadListRequests: number;
  /** probes: pods with httpGet + tcpSocket probes, pods with an exec probe, the measuring window (ms). */
  probePods: number;
  probeExecPods: number;
  probeWindowMs: number;
  /** pull: runs per side, each into an empty store. */
  pulls: number;
  /** watchers: pods created at once, watch connections. */
  watchPods: number;
  watchers: number;
  /** api-auth: pods stored for the LIST; requests per variant over kept and new connections; rounds. */
  authPods: number;
  authReusedGet: number;
  authReusedList: number;
  authNewGet: number;
  authNewList: number;
  authRounds: number;
  /** dashboard: pods the page lists, timed reloads. */
  dashboardPods: number;
  dashboardReloads: number;
  /** cli: pods present for `get pods`; timed runs of each command. */
  cliPods: number;
  cliRuns: number;
}

export function countsFor(a: BenchArgs): Counts {
  return a.quick
    ? { start1: 5, execs: 10, startInit: 3, podmanStartInit: 2, churn: 5, density: 10, startLoadedBackground: 20, apiList: 20, apiGet: 100, loadPods: 20, loadStoredIdle: 20, loadStored: 100, loadListRequests: 20, probePods: 10, probeExecPods: 5, probeWindowMs: 10_000, pulls: 1, watchPods: 20, watchers: 20, authPods: 100, authReusedGet: 200, authReusedList: 50, authNewGet: 50, authNewList: 25, authRounds: 5, dashboardPods: 100, dashboardReloads: 5, cliPods: 5, cliRuns: 10 }
    : { start1: 30, execs: 100, startInit: 30, podmanStartInit: 5, churn: 50, density: 100, startLoadedBackground: 100, apiList: 200, apiGet: 2000, loadPods: 250, loadStoredIdle: 100, loadStored: 1000, loadListRequests: 300, probePods: 100, probeExecPods: 20, probeWindowMs: 30_000, pulls: 3, watchPods: 100, watchers: 100, authPods: 100, authReusedGet: 1000, authReusedList: 300, authNewGet: 300, authNewList: 150, authRounds: 5, dashboardPods: 100, dashboardReloads: 20, cliPods: 5, cliRuns: 30 };
}

/** How the run was invoked, for the report. */
export function commandLine(argv: string[], lifecycleEvent: string | undefined, script: string): string {
  if (lifecycleEvent === 'bench') return `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`;
  return ['node', script, ...argv].join(' ');
}
