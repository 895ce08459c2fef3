// The bench's output, twice: plain text for the console and BENCHMARKS.md. Pure.

import { formatValue, renderMarkdownTable, renderTextTable } from './format.js';
import { machineLine, type Machine } from './machine.js';
import type { Profile } from './profile.js';
import { evaluateTargets, scenarioTables, tableLayout, TARGET_HEADER, targetCells, type BenchResults } from './results.js';

export interface BenchReport {
  machine: Machine;
  /** ISO 8601. */
  date: string;
  command: string;
  podmanVersion?: string;
  results: BenchResults;
  profile?: Profile;
  /** Skips, timeouts and failures, one sentence each. */
  notes: string[];
  /**
   * bench/ANALYSIS.md as written by hand (the profiles behind targets the figures miss), copied in after
   * the figures; its own text says when it was measured.
   */
  analysis?: string;
}

const METHOD = [
  'Both sides run the same pod manifests with the same busybox rootfs (`localhost/busybox:latest`, built by `peapod setup` and `podman import`ed from the same layer), `imagePullPolicy: IfNotPresent` and `terminationGracePeriodSeconds: 1`.',
  'peapod: its own daemon (own data dir, pod CIDR 10.88.220.0/22, debug log, node with the flags `bin/peapod.js` gives `serve`); a start is timed from the create call to the watch event that shows every container running; a delete (grace 1 s) until the DELETED event.',
  'podman: `podman kube play` with its own containers.conf and storage under a temp dir (runc, cgroupfs, file events, CNI bridge on 10.88.240.0/22); a start is the whole `kube play` command (it returns once the containers run), a delete is `podman pod rm -f -t 1`.',
  'cli (peapod only: podman has no kubectl-compatible daemon): first of all, right after the daemon serves (nothing of the bench runs then and no pod is starting or being deleted: an idle daemon), 5 one-container `sleep` pods of its own are started as density starts them; then `peapod get pods` beside `kubectl get pods`, and `peapod version --client` beside `kubectl version --client` (start-up with no request), each run a fresh process as a user runs it: the checkout\'s `bin/peapod.js` executed directly (its first lines start node, as the /usr/local/bin/peapod link that `peapod setup` makes does; it runs the build in dist/) and `/usr/bin/kubectl`, both with `--kubeconfig` of the daemon\'s admin kubeconfig (kubectl also with `--cache-dir` in the daemon\'s data dir, so root\'s ~/.kube/cache is left alone; the untimed round fills it, as a user\'s is). On this machine `/usr/bin/kubectl` is the Google Cloud SDK\'s kubectl dispatcher: for a command that talks to the server it first asks the server\'s version, then execs the kubectl of that minor version (`kubectl.1.33`), which starts again and makes its own connection; `version --client` runs in the dispatcher itself. So a third column runs that `kubectl.1.33` directly (same flags): the kubectl binary without the dispatcher. One untimed round, then 30 rounds, each get pods by the three, version --client by the three, and `node -e 0` (the node on PATH that bin/peapod.js starts: the floor row, node\'s own start-up at that moment), one after another, stdout and stderr read through pipes. Wall time: from the spawn call to the child\'s exit (performance.now()). CPU: user + sys of the process and of what it reaped (the bench\'s cutime + cstime from /proc/self/stat before the spawn and once the child is reaped; 10 ms ticks, so the p50 moves in 10 ms steps, the mean is exact over the runs). Every run must exit 0, and every `get pods` must print a table whose NAME column is exactly the 5 pods, for every tool, or the row fails. The targets are set against `/usr/bin/kubectl`, what a user types. A note gives the host\'s load average around the runs. Not timed: the pods\' start and cleanup.',
  'start-warm (peapod only: podman has no pool): the bench daemon is stopped and served again on the same data dir with `--warm-pool 1` (one sandbox, its netns with an IP, cgroup and running infra container, kept ready; the daemon refills it in the background once its runtime is quiet); then start-1\'s pods, as many and timed the same way, one after another, each once the daemon\'s /metrics shows a pool sandbox ready (`peapod_warm_pool_ready_sandboxes` ≥ 1; that wait is not timed, at most 20 s per start and 120 s in all, and a note says when it ran out): what a pod applied now and then, with the pool warm, sees. A start claimed a pool sandbox when `peapod_warm_pool_claims_total` went up during it; a note counts them. Its p50 is set against podman\'s start-1 p50 of the same run. Not timed: the cleanup; then, with every pod deleted, the daemon is stopped (it removes its pool sandboxes), the host is checked for anything of the engine left (a note lists it), and the daemon serves again without the flag for the scenarios after.',
  'start-pvc: start-1\'s pod with a fresh PersistentVolumeClaim of its own (100Mi, ReadWriteOnce, no storageClassName) mounted at /data, one after another, as many as start-1. peapod: the claim, then the pod, each POSTed once the previous is answered (as `kubectl apply -f` of the two-document file goes), timed from the claim\'s create call to the watch event that shows the container running: the default StorageClass `local-path` (WaitForFirstConsumer) makes the volume\'s directory once the pod is scheduled, binds, then the pod starts. podman: the whole `podman kube play` of the same two-document YAML (it makes a named volume for the claim). Not timed: the cleanup, which deletes each pod, then its claim, until the volume is gone (peapod: its directory under <data-dir>/storage; podman: `podman kube down` of the YAML, then `podman volume rm`).',
  'start-loaded: first 100 background pods (start-1\'s one-container `sleep` pod, names of their own), created 10 at a time as density creates them, until every one runs; then the bench waits until the host is quiet (its CPUs less than 20% busy over a second, up to 30 s; a note says when it was not); then start-1\'s pods, as many and timed the same way, one after another, with the background pods still running. The last row sets each side\'s p99 against its start-1 p99 of the same run (idle, and on the same pods): the issue\'s target is at most 1.5×; without start-1 in the run there is no ratio (a note says so). Not timed: the cleanup of both kinds of pods.',
  'churn pods run `sh -c \'trap "exit 0" TERM; sleep 3600 & wait\'` so a delete measures engine work, not the SIGTERM-ignoring `sleep` waiting out the grace period. density creates 10 at a time. Host memory per pod sums Rss/Pss (/proc/PID/smaps_rollup) of each pod\'s conmon monitors and everything below them (pause, containers), over the pod count; the cgroup row is the pods\' memory cgroup usage (includes page cache).',
  'exec: one pod (`sleep`) on each side; 100 execs of `true`, one after another, each the whole command a user waits for: `kubectl exec POD -c main -- true` with the newest bundled kubectl (WebSocket v5, the daemon\'s kubeconfig) beside `podman exec POD-main true`; then `cat` of a 100 MB file made in the container (head -c of /dev/zero), its stdout counted on the bench\'s side, the best of three runs.',
  'pull: a 5-layer image (about 150 MB of tar in about 5,000 files, many small and a few large ones, 60/40/25/15/10 MB; each 16 KiB chunk either incompressible or word-salad text, so gzip (level 4) gives about 2×; OCI, built once per run and not timed) pushed to a docker-registry (distribution 2.8) on 127.0.0.1 over TLS from a throwaway CA, no auth; then pulled into an empty store by both sides, which take turns run by run (peapod first, then podman first, ...) after one untimed warm-up pull each; after every pull the image is removed (with it its blobs and layers, checked). peapod: POST /peapod/v1/images/pull straight to the API (the CA in <data-dir>/certs.d/HOST:PORT/ca.crt), timed from the request to the NDJSON line {type: pulled}. podman: the whole `podman pull --cert-dir DIR HOST:PORT/bench/pull:latest` command (CLI start-up included) on the bench\'s own storage, `podman rmi` after each. Peak RSS: VmRSS read every 50 ms (/proc/PID/status) of the daemon and of the podman process. CPU per pull: peapod: the daemon\'s and its spawn helper\'s (with the tar it ran) /proc/PID/stat time; podman: the podman process\'s and its children\'s (the bench\'s cutime + cstime around it); the notes add the host\'s busy time (/proc/stat) and the registry\'s share, and how busy the host was with the bench idle.',
  'load (peapod only): the pods, churn pods in one multi-document YAML, go in with one `kubectl apply -f` and out with one `kubectl delete -f --wait=false` (the real kubectl, the daemon\'s kubeconfig, its discovery cache warm); a probe pod runs throughout. During each burst the bench GETs the probe and lists the pods every 50 ms, each on its own keep-alive connection with the kubeconfig\'s client certificate and one request in flight (a slow answer delays the next sample), from a process of their own, timed to the reply\'s last byte (the client does not parse the body in the timed part; the stored-pod lists are timed the same way), and scrapes the daemon\'s /metrics every second. The same process times a do-nothing TLS server (bench/reference-server.ts: the daemon\'s certificate and key, its node flags and priority) every 100 ms, asking for as many bytes as the daemon\'s last answer had: the floor rows, what the host and the client add to any answer at that moment. Event-loop delay is the daemon\'s own (a timer due every 10 ms, how late it ran): p99 is the upper bound of its histogram bucket over the window; max is the largest of its rolling maxima read in the window, each over the shortest of its 1/10/60 s windows that reaches back to the previous scrape. Loop blocked per spawn: per program started for the daemon, the loop time it cost: for the programs its spawn helper starts (runc, conmon, CNI plugins, mount...), sending the request; for the daemon\'s own child processes (the helper itself), the synchronous spawn() (the fork, then the wait for its exec). Idle RSS is read just before the apply, RSS after the delete 5 s and 30 s after the last pod was gone (the target is on the second). Stored pods come last, once the daemon and the host are quiet again after the delete (the host less than 20% busy over a second, waited for up to 30 s; before the bursts, the memory their lists leave committed counted in both RSS figures), in a namespace of their own: bound to a node that does not exist, so never run, each with the full status of a real running pod and kubectl\'s last-applied annotation; their lists go one request at a time (300 of each kind), from the bench\'s own process, each followed by a request to the do-nothing server for as many bytes (the floor rows under them). The CPU rows split the host\'s busy time from the apply to the last pod Running (/proc/stat; /proc/PID/stat of the daemon, its spawn helper and the bench\'s own processes); the floor is the rest and the bench\'s own share over the host\'s cores, the time the burst would take with a daemon that cost nothing.',
  'probes (peapod only): first 100 pods, each a busybox httpd with no probe, for the daemon\'s CPU over a 30 s window without probes; then 100 pods, each a busybox httpd with an httpGet readiness probe (by port name) and a tcpSocket liveness probe, both every 1 s, created 10 at a time; once all are Ready and 3 s more, a 30 s window: the daemon\'s and its spawn helper\'s CPU (/proc/PID/stat), the probe attempts and how late each periodic result came after it was due (the previous attempt\'s start plus periodSeconds; the daemon\'s peapod_probe_lateness_seconds histogram, so the latest is a bucket bound), and the host\'s busy CPU (/proc/stat) less its idle rate measured for 5 s before, per attempt. Then the same window with 20 pods whose only probe is an exec readiness probe running `true` every 1 s: per exec attempt, the whole host\'s CPU for it (runc exec, runc init, the command, the daemon\'s share), beside the httpGet/tcpSocket figure.',
  'watchers (peapod only): 100 pods created at once (every POST in flight together over the bench\'s keep-alive connections), first under one pods watch (the baseline), then under 100, each on its own TLS connection with the kubeconfig\'s client certificate, half on every namespace (/api/v1/pods), half on the pods\' own, all from the resourceVersion of a list made just before (the bench\'s own pods watch is open throughout too). The watches are read by 4 processes (25 each), in a session of their own at the daemon\'s priority (as the reference server), each event line read for its type, name, resourceVersion and phase without parsing the object, with the time its chunk arrived. The window runs from the first create to the moment every watcher had every pod\'s Running event. Delivery lag: per delivery, its arrival less the first arrival of the same event (resourceVersion) at any watcher. Deliveries per second: all deliveries over the span from the first create to the last arrival. CPU: /proc/PID/stat of the daemon, its spawn helper and the reading processes over the window; RSS: VmRSS just before and its peak (read every 50 ms). The pods are deleted after each run (not timed).',
  'api-auth (peapod only): the daemon serves HTTPS only (no plain-HTTP port, no unix socket), so the plainest path is a TLS connection kept open. 100 pods stored only (bound to a node that does not exist, each with a real running pod\'s status and kubectl\'s last-applied annotation, as in load) in a namespace of their own; a GET of one of them and a LIST of all, one request at a time from the bench\'s process, timed to the reply\'s last byte (not parsed), each with a bearer token of the daemon\'s --token-auth-file (system:masters) and with the kubeconfig\'s client certificate, on one kept connection and on a new connection per request (a full TLS handshake each time, no session resumption: what each kubectl invocation pays). The eight variants take turns in 5 rounds after 10 untimed requests each; req/s is the requests over the time their blocks took; daemon CPU per request is its /proc/PID/stat time over each block (10 ms ticks) over the block\'s requests.',
  'dashboard (peapod only: podman has no such page): with 100 one-container pods running (density\'s when density ran, else sleep pods of its own, started as density starts them and removed after), the bench mints a login link as the admin (`POST /peapod/v1/dashboard/login` with the kubeconfig\'s client certificate) and opens it in Debian\'s chromium, headless (puppeteer-core; `--no-sandbox`, the daemon\'s certificate accepted), with the browser\'s cache disabled; once the pods list shows exactly the daemon\'s pods (not timed), the page is reloaded 20 times, each timed inside the page from its navigation start (`performance.timeOrigin`) until the pods table holds every pod\'s `tr[data-pod]` row: a MutationObserver installed before the page\'s own script notes `performance.now()` right after the DOM change that brought the last row, and the next animation frame (the frame that paints them). Beside them, p50s of when the HTML and the script had arrived, when the page asked for the pods list (the list call, not the watch) and when it had arrived (Navigation and Resource Timing); a note gives the host\'s load average around the row. Bundle sizes: each script and stylesheet the daemon\'s `/ui/` names (the entry, the chunks it modulepreloads, the stylesheet: what the first render loads), raw and gzipped at level 6 (the daemon sends them gzipped to a browser that takes gzip).',
];

function profileRows(p: Profile): string[][] {
  return [...p.phases.map((ph) => [ph.name, formatValue(ph.p50Ms, 'ms')]), ['total (create → Running)', formatValue(p.totalP50Ms, 'ms')]];
}

export function renderConsole(r: BenchReport): string {
  const out: string[] = [`peapod bench — ${r.date}`, `machine: ${machineLine(r.machine)}`, `command: ${r.command}`, ''];
  for (const t of scenarioTables(r.results)) {
    const { header, cells } = tableLayout(t);
    out.push(t.title, renderTextTable(header, cells), '');
  }
  out.push('targets', renderTextTable(TARGET_HEADER, targetCells(evaluateTargets(r.results))), '');
  if (r.profile) out.push(`profile of a pod start (p50 over ${r.profile.pods} start-1 pods)`, renderTextTable(['phase', 'p50'], profileRows(r.profile)), r.profile.summary, '');
  for (const n of r.notes) out.push(`note: ${n}`);
  return out.join('\n');
}

export function renderBenchmarksMd(r: BenchReport): string {
  const out: string[] = [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (see bench/); these are the latest results. peapod against `podman kube play` on the same host, pods and image.',
    '',
    `- Date: ${r.date}`,
    `- Machine: ${machineLine(r.machine)}`,
    `- Command: \`${r.command}\``,
    `- podman: ${r.podmanVersion ?? 'not run'}`,
    '',
    '## Method',
    '',
    ...METHOD.map((m) => `- ${m}`),
    '',
    '## Results',
    '',
    'Ratio = podman / peapod: above 1 means peapod takes less time (or memory); for pods/s, below 1 means peapod is faster.',
    '',
  ];
  for (const t of scenarioTables(r.results)) {
    const { header, cells } = tableLayout(t);
    out.push(`### ${t.title}`, '', renderMarkdownTable(header, cells), '');
  }
  out.push('## Targets', '', renderMarkdownTable(TARGET_HEADER, targetCells(evaluateTargets(r.results))), '');
  if (r.profile) {
    out.push(
      '## Where a pod start goes',
      '',
      `Median per phase over ${r.profile.pods} start-1 pods. Source: ${r.profile.source}.`,
      '',
      renderMarkdownTable(['phase', 'p50'], profileRows(r.profile)),
      '',
      r.profile.summary,
      '',
    );
  }
  if (r.notes.length) out.push('## Notes', '', ...r.notes.map((n) => `- ${n}`), '');
  if (r.analysis?.trim()) out.push(r.analysis.trim(), '');
  return out.join('\n');
}
