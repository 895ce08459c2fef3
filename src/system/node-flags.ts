// Node's own flags for `peapod serve`, which must be on node's command line: V8 sizes its heap when the
// process starts, and Node 20 cannot re-execute itself. bin/peapod.js's shell lines give them to serve, the
// setup script and the test daemons pass them; the daemon says so in its log when they are missing.
//
// --max-semi-space-size=4: V8 grows the young generation's two semi-spaces to 16 MB each on a 64-bit host
// once a burst allocates fast, and keeps them. Measured with 250 pods started and deleted at once
// (issue 7): 32 MB of young generation committed against 8 MB, RSS 146 → 117 MB with 250 pods Running and
// 154 → 125 MB after the delete; the API's latency and the burst's duration did not get worse (the
// daemon used less CPU: smaller young collections, and no full collection forced by the young
// generation's size).

export const SERVE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];

/** The flags of SERVE_NODE_FLAGS this process was started without (on its command line or NODE_OPTIONS). */
export function missingNodeFlags(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): string[] {
  const given = new Set([...execArgv, ...nodeOptions.split(/\s+/)].map((f) => f.split('=')[0]!.replace(/_/g, '-')));
  return SERVE_NODE_FLAGS.filter((f) => !given.has(f.split('=')[0]!));
}

// glibc's malloc for `serve`, which it reads from GLIBC_TUNABLES when the process starts (so, as the node
// flags, it must be in the environment node starts with: bin/peapod.js's shell lines, the setup script and
// the test daemons give it). Blocks of 32 KiB and more are mapped on their own and unmapped when freed,
// and the heap's top is given back above 128 KiB free: glibc otherwise raises its mmap threshold with
// each large block freed (to 32 MB), and the TLS and reply traffic of a burst then left the main arena
// fragmented. Measured with 250 pods started and deleted at once beside the bench's clients (issue 7):
// RSS 30 s after the delete +10.8 to +13.4 MB over idle without, +5.6 MB with; idle 79 → 76 MB, with 250
// pods Running 107 → 97 MB.
export const SERVE_MALLOC_TUNABLES: readonly string[] = ['glibc.malloc.mmap_threshold=32768', 'glibc.malloc.trim_threshold=131072'];

/** `env` with SERVE_MALLOC_TUNABLES in its GLIBC_TUNABLES (what it had of others is kept). */
export function serveEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const missing = missingMallocTunables(env.GLIBC_TUNABLES ?? '');
  if (missing.length === 0) return env;
  return { ...env, GLIBC_TUNABLES: [env.GLIBC_TUNABLES, ...missing].filter(Boolean).join(':') };
}

/** The tunables of SERVE_MALLOC_TUNABLES that `tunables` (GLIBC_TUNABLES's value) does not set. */
export function missingMallocTunables(tunables = process.env.GLIBC_TUNABLES ?? ''): string[] {
  const given = new Set(tunables.split(':').map((t) => t.split('=')[0]!));
  return SERVE_MALLOC_TUNABLES.filter((t) => !given.has(t.split('=')[0]!));
}
