// Node's own flags for `peapod serve`, which must be on node's command line: V8 sizes its heap when the
// process starts, and Node 20 cannot re-execute itself. bin/peapod.js carries them in its #! line, the
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
