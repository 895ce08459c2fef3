// The peapod command line: `serve` and `setup` run on the host; every other command is a client of
// the daemon's API (kubectl habits: -n, -A, -o, -l, -w, -f). main() returns the exit code.

import type { ServerLimitFlags } from '../api/server-limit-flags.js';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { promises as fs } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { DEFAULT_DATA_DIR, nodePaths } from '../node/paths.js';
import { SystemClock } from '../system/clock.js';
import { CliContext, CliError, shellQuote, startDaemonCommand, type CliIO, type GlobalOptions } from './context.js';
import type { GetOptions } from './commands/get.js';
import type { DeleteOptions } from './commands/delete.js';
import type { DebugOptions, ExecOptions } from './commands/exec.js';
import type { LogsOptions } from './commands/logs.js';
import type { AnatomyOptions } from './commands/anatomy.js';
import type { DashboardOptions } from './commands/dashboard.js';
import { addCompletionCommands } from './commands/completion-commands.js';

// Each command's module is imported when that command runs: `peapod get pods` loads get's printers and
// the client, not exec's WebSocket, pull's progress bars or the daemon (the CLI's start-up; see
// scripts/build-cli.mjs).
const get = () => import('./commands/get.js');
const apply = () => import('./commands/apply.js');
const exec = () => import('./commands/exec.js');
const images = () => import('./commands/image.js');

/** Most sandboxes `serve --warm-pool` keeps: each holds an IP, a netns and a pause process. */
const MAX_WARM_POOL = 32;

function parseIntArg(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new CliError(`error: invalid argument "${v}": must be an integer`);
  return n;
}
const parseBool = (v: string | undefined) => v === undefined || !['false', '0', 'no'].includes(v.toLowerCase());

/** The API limit flags are server-limit-flags.ts's own (one list of names for commander and the parser). */
interface ServeOptions extends ServerLimitFlags {
  listen: string;
  nodeName: string;
  podCidr: string;
  logLevel: string;
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  tokenAuthFile?: string;
  apiAudiences?: string;
  maxBackoff?: string;
  maxPods?: string;
  seccompDefault?: boolean;
  podManifestPath?: string;
  localPathDir?: string;
  insecureRegistry: string[];
  imageGcHighThreshold?: string;
  imageGcLowThreshold?: string;
  maxImageUpload?: string;
  maxLayerSize?: string;
  metricsResolution?: string;
  nodeLeaseRenewInterval?: string;
  eventTtl?: string;
  allowedUnsafeSysctls?: string;
  maxWatches?: string;
  maxWatchesPerClient?: string;
  podPidsLimit?: string;
  warmPool?: string;
}

/** A Go-style duration ("300s", "5m", "1m30s"; a bare number is seconds) in ms. */
export function parseDurationMs(v: string): number {
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const m = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?$/.exec(v);
  if (!v || !m || m[0] === '') throw new CliError(`error: invalid duration "${v}": use e.g. 60s, 5m or 1m30s`);
  return ((Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 1000;
}

const collect = (v: string, prev: string[]) => [...prev, v];

/** The end of a command's help: lines to type (every command has some; a unit test holds to it). */
export const examples = (...lines: string[]) => `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}`;

/** -v 6, -v6, -v=6 (kubectl's form) and --v=6. */
function parseVerbosity(v: string): number {
  const level = v.replace(/^=/, '');
  const n = Number(level);
  if (!level || !Number.isInteger(n) || n < 0) throw new CliError(`error: invalid argument "${level}" for "-v, --v" flag: must be a level from 0 up`);
  return n;
}

/** Builds the command tree; `run` wraps each action with a context. */
export function buildProgram(io: CliIO): Command {
  const program = new Command('peapod')
    .description('Kubernetes Pods on one Linux host: runc, conmon, CNI and overlayfs behind a Kubernetes API')
    .option('--kubeconfig <file>', 'kubeconfig to use (default: --data-dir\'s when given, else $KUBECONFIG, else the default data dir\'s)')
    .option('--data-dir <dir>', `peapod data dir (default ${DEFAULT_DATA_DIR})`)
    .option('-n, --namespace <ns>', 'namespace (default: the kubeconfig context\'s)')
    .option('-v, --v <level>', 'log level to stderr, as kubectl\'s: 1 names the daemon reached (server, context, user, kubeconfig and why that one), 6 adds each request with its status and time', parseVerbosity)
    .addHelpText('after', examples('peapod get pods -A', 'peapod -n shop logs web -f', 'peapod --data-dir /srv/peapod get pods', 'peapod -v 6 get pods     # which daemon, and each request'))
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError();

  const run = <A extends unknown[]>(fn: (ctx: CliContext, ...args: A) => Promise<void>) =>
    async (...args: unknown[]) => {
      const cmd = args[args.length - 1] as Command;
      await fn(new CliContext(io, cmd.optsWithGlobals<GlobalOptions>()), ...(args.slice(0, -1) as A));
    };

  /** A command's own exit code becomes the CLI's (the message was printed already). */
  const exitWith = (code: number) => {
    if (code !== 0) throw new CliError('', code);
  };

  program
    .command('get')
    .summary('list objects: pods, pv, pvc, sc, configmaps, secrets, namespaces, nodes, events')
    .description('list objects: pods, persistentvolumeclaims (pvc), persistentvolumes (pv), storageclasses (sc), configmaps, secrets, namespaces, nodes, events')
    .argument('<type>', 'a type, or several joined by commas (pv,pvc,sc), or TYPE/NAME')
    .argument('[names...]', 'names of objects of that type (default: all)')
    .option('-A, --all-namespaces', 'list across all namespaces')
    .option('-o, --output <format>', 'output format: wide, yaml, json, name, jsonpath=TEMPLATE, jsonpath-file=FILE, jsonpath-as-json=TEMPLATE, custom-columns=SPEC, custom-columns-file=FILE')
    .option('-l, --selector <selector>', 'label selector')
    .option('-w, --watch', 'watch for changes after listing (one type only)')
    .option('--no-headers', 'omit the header row')
    .option('--allow-missing-template-keys [bool]', 'a jsonpath key that is missing prints nothing (false: an error, as kubectl)', parseBool, true)
    .addHelpText('after', examples('peapod get pods -A', 'peapod get pods -o wide -w', 'peapod get pv,pvc,sc', 'peapod get pvc data -n web -o yaml', "peapod get pods -o jsonpath='{.items[*].status.podIP}'", 'peapod get pods -o custom-columns=NAME:.metadata.name,NODE:.spec.nodeName,IP:.status.podIP', 'peapod get storageclass.storage.k8s.io/local-path'))
    .action(run(async (ctx, type: string, names: string[], o: GetOptions & { headers?: boolean }) =>
      (await get()).runGet(ctx, [type, ...names], { ...o, noHeaders: o.headers === false })));

  program
    .command('describe')
    .summary('show objects\' details and their events')
    .description('show details of objects and their events: pods, persistentvolumeclaims (pvc), persistentvolumes (pv), storageclasses (sc)')
    .argument('<type>', 'pod, pvc, pv or sc (or TYPE/NAME)')
    .argument('[names...]', 'names (default: every object of the type)')
    .addHelpText('after', '\nA bound claim also shows the host directory that holds its data (Host Path).\n\nExamples:\n  peapod describe pod web\n  peapod describe pvc data -n web\n  peapod describe pv pvc-0c1d2e3f\n  peapod describe sc local-path')
    .action(run(async (ctx, type: string, names: string[]) => (await import('./commands/describe.js')).runDescribe(ctx, [type, ...names])));

  program
    .command('logs')
    .summary('print or follow a container\'s log')
    .description('print a container\'s log')
    .argument('<pod>')
    .option('-c, --container <name>', 'container name')
    .option('-f, --follow', 'stream the log')
    .option('-p, --previous', 'the previous instance\'s log')
    .option('--tail <n>', 'lines from the end (-1: all)', parseIntArg)
    .option('--timestamps', 'prefix each line with its timestamp')
    .addHelpText('after', examples('peapod logs web', 'peapod logs web -c sidecar -f', 'peapod logs web --previous --tail 20', 'peapod logs web --timestamps'))
    .action(run(async (ctx, pod: string, o: LogsOptions) => (await import('./commands/logs.js')).runLogs(ctx, pod, o)));

  program
    .command('apply')
    .description('create or update objects from files (kubectl client-side apply)')
    .requiredOption('-f, --filename <file>', 'file, directory or - for stdin')
    .addHelpText('after', examples('peapod apply -f examples/two-containers.yaml', 'peapod apply -f manifests/           # every .yaml, .yml and .json in it', 'cat pod.yaml | peapod -n shop apply -f -'))
    .action(run(async (ctx, o: { filename: string }) => { const m = await apply(); await m.forEachManifest(ctx, o.filename, m.applyObject); }));

  program
    .command('create')
    .description('create objects from files')
    .requiredOption('-f, --filename <file>', 'file, directory or - for stdin')
    .addHelpText('after', examples('peapod create -f examples/init-container.yaml', 'peapod -n shop create -f web.yaml'))
    .action(run(async (ctx, o: { filename: string }) => { const m = await apply(); await m.forEachManifest(ctx, o.filename, m.createObject); }));

  program
    .command('delete')
    .summary('delete objects by type and name, or from files')
    .description('delete objects by type and name (TYPE NAME..., TYPE/NAME..., pvc,pv NAME), or from files')
    .argument('[args...]')
    .option('-f, --filename <file>', 'file, directory or - for stdin')
    .option('--grace-period <seconds>', 'termination grace period (-1: the object\'s)', parseIntArg)
    .option('--force', 'delete immediately (grace period 0)')
    .option('--now', 'grace period 1')
    .option('--wait [bool]', 'wait until the objects are gone', parseBool, true)
    .addHelpText('after', examples('peapod delete pod web', 'peapod delete pod web --now', 'peapod delete -f examples/two-containers.yaml', 'peapod delete pvc,pv data'))
    .action(run(async (ctx, args: string[], o: DeleteOptions & { now?: boolean }) =>
      (await import('./commands/delete.js')).runDelete(ctx, args, { ...o, gracePeriod: o.now ? 1 : o.gracePeriod })));

  program
    .command('exec')
    .summary('run a command in a container')
    .description('run a command in a container: exec [-i] [-t] POD [-c C] -- CMD (kubectl exec)')
    .argument('<pod>')
    .argument('<command...>')
    .option('-c, --container <name>', 'container name (default: the default-container annotation, else the first)')
    .option('-i, --stdin', 'pass stdin to the container')
    .option('-t, --tty', 'stdin is a terminal')
    .addHelpText('after', examples('peapod exec web -- ls /', 'peapod exec -it web -c app -- sh', 'peapod exec web -- sh -c \'echo $HOSTNAME\''))
    .action(run(async (ctx, pod: string, cmd: string[], o: ExecOptions) => exitWith(await (await exec()).runExec(ctx, pod, cmd, o))));

  program
    .command('attach')
    .summary('attach to a running container\'s own stdio')
    .description('attach to a running container\'s own stdio: attach [-i] [-t] POD [-c C]')
    .argument('<pod>')
    .option('-c, --container <name>', 'container name')
    .option('-i, --stdin', 'pass stdin to the container')
    .option('-t, --tty', 'stdin is a terminal')
    .addHelpText('after', examples('peapod attach -it web', 'peapod attach web -c app'))
    .action(run(async (ctx, pod: string, o: ExecOptions) => exitWith(await (await exec()).runAttach(ctx, pod, o))));

  program
    .command('port-forward')
    .summary('forward local ports to a pod')
    .description('forward local ports to a pod: port-forward POD [LOCAL:]REMOTE... (until Ctrl-C)')
    .argument('<pod>')
    .argument('<ports...>')
    .addHelpText('after', examples('peapod port-forward web 8080:80', 'peapod port-forward web 9000 9001:90'))
    .action(run(async (ctx, pod: string, ports: string[]) => exitWith(await (await exec()).runPortForward(ctx, pod, ports))));

  program
    .command('debug')
    .summary('add an ephemeral container to a running pod')
    .description('add an ephemeral container to a running pod: debug [-i] [-t] POD --image IMG [--target C] [-- CMD] (kubectl debug)')
    .argument('<pod>')
    .argument('[command...]')
    .requiredOption('--image <image>', 'the debug container\'s image')
    .option('--target <container>', 'share this container\'s process namespace')
    .option('-c, --container <name>', 'the debug container\'s name (default: debugger-xxxxx)')
    .option('-i, --stdin', 'keep stdin open and attach')
    .option('-t, --tty', 'allocate a terminal')
    .addHelpText('after', examples('peapod debug -it web --image localhost/busybox:latest --target app', 'peapod debug web --image localhost/busybox:latest -- ps'))
    .action(run(async (ctx, pod: string, cmd: string[], o: DebugOptions) => exitWith(await (await exec()).runDebug(ctx, pod, cmd, o))));

  program
    .command('anatomy')
    .summary('a pod as the node holds it: namespaces, network, mounts, processes')
    .description('a pod as the node holds it, as a tree: its infra container and the namespaces it holds, network (veth pair, gateway, host ports), containers (namespaces joined or own, probes, mounts, processes) and volumes')
    .argument('<pod>')
    .option('-o, --output <format>', 'print the PodAnatomy object (json, yaml) or a diagram (svg) instead of the tree')
    .addHelpText('after', '\nRead from the pod\'s anatomy subresource, which the daemon computes from the runtime\'s state and the\nhost (/proc, mountinfo, the pod\'s network namespace), not from the spec. State words are coloured on\na terminal unless NO_COLOR is set.\n\nExamples:\n  peapod anatomy web\n  peapod anatomy web -n shop -o json | jq .network\n  peapod anatomy web -o svg > web.svg')
    .action(run(async (ctx, pod: string, o: AnatomyOptions) => (await import('./commands/anatomy.js')).runAnatomy(ctx, pod, o)));

  program
    .command('dashboard')
    .summary('a one-time login link to the web dashboard')
    .description('print a one-time login link to the web dashboard (pods, anatomy, logs, a terminal) and exit')
    .option('--open', 'also open the link in the desktop\'s browser (through a private file, never on a command line)')
    .addHelpText('after', '\nThe dashboard is served by the daemon under /ui/ on the API\'s port, over the same TLS. The link logs a\nbrowser in once, within five minutes, with the rights of this kubeconfig\'s user; the session ends when\nthe browser closes, at logout, after 8 hours, or when the daemon restarts.\n\nExamples:\n  peapod dashboard\n  peapod dashboard --open\n  peapod --data-dir /srv/peapod dashboard')
    .action(run(async (ctx, o: DashboardOptions) => (await import('./commands/dashboard.js')).runDashboard(ctx, o)));

  const image = program
    .command('image')
    .description('manage the node\'s images')
    .addHelpText('after', examples('peapod image pull nginx:1.27', 'peapod image ls', 'peapod image load -i app.tar', 'peapod image prune --all -f'));
  image
    .command('load')
    .description('load a docker-archive or OCI-archive tarball')
    .requiredOption('-i, --input <tar>', 'archive file')
    .addHelpText('after', examples('docker save app:1 -o app.tar && peapod image load -i app.tar', 'skopeo copy docker://nginx:1.27 oci-archive:nginx.tar && peapod image load -i nginx.tar'))
    .action(run(async (ctx, o: { input: string }) => (await images()).runImageLoad(ctx, o.input)));
  image
    .command('import')
    .description('import a root filesystem tarball as a one-layer image')
    .argument('<rootfs-tar>')
    .argument('<name>')
    .addHelpText('after', examples('peapod image import rootfs.tar localhost/tools:1'))
    .action(run(async (ctx, tar: string, name: string) => (await images()).runImageImport(ctx, tar, name)));
  image
    .command('pull')
    .description('pull an image from a registry into the node\'s store')
    .argument('<ref>', 'image reference, e.g. nginx:1.27, ghcr.io/org/app@sha256:...')
    .option('--creds <user:pass>', 'registry credentials, split at the first colon (sent in the request body, never printed)')
    .addHelpText('after', '\nOn a terminal it draws a progress bar per layer; piped, it prints one line per layer state change.\nThe last line is the image id.\n\nExamples:\n  peapod image pull nginx:1.27\n  peapod image pull --creds alice:s3cret registry.example.com/team/app:2.1\n  id=$(peapod image pull busybox:1.36 | tail -n1)')
    .action(run(async (ctx, ref: string, o: { creds?: string }) => (await import('./commands/image-pull.js')).runImagePull(ctx, ref, o)));
  image
    .command('ls')
    .alias('list')
    .description('list images: repository, tag, short manifest digest, id, age, size')
    .addHelpText('after', examples('peapod image ls'))
    .action(run(async (ctx) => (await images()).runImageLs(ctx)));
  image
    .command('rm')
    .description('remove images by reference or id')
    .argument('<ref...>')
    .addHelpText('after', examples('peapod image rm localhost/tools:1', 'peapod image rm 284346fb1027'))
    .action(run(async (ctx, refs: string[]) => (await images()).runImageRm(ctx, refs)));
  image
    .command('prune')
    .description('remove dangling (untagged) images; with --all, every image no container uses')
    .option('-a, --all', 'remove every image no container uses, not only dangling ones')
    .option('-f, --force', 'do not prompt for confirmation')
    .addHelpText('after', '\nExamples:\n  peapod image prune -f\n  peapod image prune --all --force')
    .action(run(async (ctx, o: { all?: boolean; force?: boolean }) => (await images()).runImagePrune(ctx, o)));

  const runtime = program
    .command('runtime')
    .description('inspect the container runtime')
    .addHelpText('after', examples('peapod runtime ps'));
  runtime
    .command('ps')
    .description('sandboxes and containers, grouped by pod, with their namespaces')
    .addHelpText('after', examples('peapod runtime ps', 'peapod --data-dir /srv/peapod runtime ps'))
    .action(run(async (ctx) => (await import('./commands/runtime-ps.js')).runRuntimePs(ctx)));

  program
    .command('version')
    .summary('the client\'s version, the daemon reached and what it runs')
    .description('print the client\'s version, the daemon it reaches, and what that daemon runs: peapod, the Kubernetes API, runc, conmon, catatonit, CNI plugins')
    .option('--client', 'the client\'s version only (no daemon is asked)')
    .option('-o, --output <format>', 'yaml or json')
    .addHelpText('after', examples('peapod version', 'peapod version --client', 'peapod --data-dir /srv/peapod version -o json'))
    .action(run(async (ctx, o: { client?: boolean; output?: string }) => (await import('./commands/version.js')).runVersion(ctx, o)));

  // The host's commands (root's), after the daily ones: `peapod --help` lists them in this order.
  program
    .command('serve')
    .summary('run the node daemon')
    .description('run the node daemon (API, pod manager, runtime) until SIGINT/SIGTERM')
    .option('--listen <addr>', 'API address (HTTPS only)', '127.0.0.1:6443')
    .option('--node-name <name>', 'node name', os.hostname().toLowerCase())
    .option('--pod-cidr <cidr>', 'pod network', '10.88.0.0/16')
    .option('--log-level <level>', 'log level', 'info')
    .option('--tls-cert-file <file>', 'serving certificate (PEM; default: made under <data-dir>/pki, signed by its CA)')
    .option('--tls-private-key-file <file>', 'the serving certificate\'s private key (PEM)')
    .option('--token-auth-file <file>', 'bearer tokens, one per line: token,user,uid,"group1,group2" (kube-apiserver\'s format)')
    .option('--api-audiences <list>', 'comma-separated audiences a service account token must name one of to be accepted by the API (kube-apiserver\'s; default: its issuer, https://kubernetes.default.svc.cluster.local)')
    .option('--max-pods <n>', 'pods this node runs at once; more are rejected (OutOfpods), as by the kubelet', '110')
    .option('--seccomp-default', 'run containers that name no seccompProfile under RuntimeDefault (the kubelet\'s --seccomp-default)')
    .option('--max-backoff <duration>', 'ceiling of the crash-loop back-off (10s doubling up to it), e.g. 60s; the kubelet\'s is 5m', '5m')
    .option('--local-path-dir <dir>', 'where the default StorageClass local-path makes a directory per claim (default <data-dir>/storage)')
    .option('--pod-manifest-path <dir>', 'static pods: every Pod manifest in this directory runs on the node, shown through the API as a mirror pod <name>-<node> (the kubelet\'s staticPodPath; default <data-dir>/manifests)')
    .option('--insecure-registry <host[:port]|cidr>', 'a registry that may be reached in plain HTTP, or over HTTPS without verifying its certificate (docker\'s insecure-registries; loopback registries may use plain HTTP anyway); repeat for more', collect, [])
    .option('--image-gc-high-threshold <percent>', 'image disk usage above which unused images are removed, least recently used first (the kubelet\'s; 100 turns image GC off)', '85')
    .option('--image-gc-low-threshold <percent>', 'image disk usage image GC brings it down to', '80')
    .option('--max-image-upload <size>', 'largest `peapod image load`/`import` upload, e.g. 8Gi or 500M', '8Gi')
    .option('--max-layer-size <size>', 'largest uncompressed image layer (load, import, pull); a layer that inflates past it is refused while it is decompressed', '32Gi')
    .option('--event-ttl <duration>', 'how long an Event is kept after its last write (kube-apiserver\'s --event-ttl)', '1h')
    .option('--metrics-resolution <duration>', 'how often pod and node CPU and memory are read from the cgroups for metrics.k8s.io (`kubectl top`); the usage shown is over the last such window (metrics-server\'s --metric-resolution)', '15s')
    .option('--pod-pids-limit <n>', 'most processes (pids) each pod may have, written to its cgroup\'s pids.max, so a fork bomb stays in its pod (the kubelet\'s --pod-max-pids; -1 = no limit, the kubelet\'s default)', '4096')
    .option('--warm-pool <n>', 'sandboxes (netns with an IP, pause container) kept ready ahead of pods, refilled when the node is quiet: a pod without host namespaces, hostPorts or sysctls claims one and starts sooner; 0 = none', '0')
    .option('--allowed-unsafe-sysctls <list>', 'comma-separated sysctls (or prefixes ending in *) pods may set besides the safe set; each must be namespaced (the kubelet\'s --allowed-unsafe-sysctls, e.g. \'kernel.msg*,net.ipv4.route.min_pmtu\')')
    .option('--max-watches <n>', 'watches open at once, every client together; one more is answered 429 with Retry-After', '4096')
    .option('--max-watches-per-client <n>', 'watches one client (a user, else an address) may hold open at once', '1024')
    .option('--max-request-body <size>', 'largest object body the API reads (create, update, patch); more is 413 (kube-apiserver\'s 3 MB)', '3Mi')
    .option('--max-request-header <size>', 'largest request head (request line and headers); more is 431', '64Ki')
    .option('--max-connections <n>', 'API connections open at once, every client together (at most half the open-files limit); more are closed at once', '4096')
    .option('--max-connections-per-client <n>', 'API connections one client address may hold open; more are closed at once', '1024')
    .option('--request-header-timeout <duration>', 'time a client has to send a request\'s headers (kube-apiserver\'s 32s); watches, logs -f and exec streams are not cut by it', '32s')
    .option('--request-timeout <duration>', 'time a client has to send a whole request, body and image uploads included (answers may take longer)', '5m')
    .option('--node-lease-renew-interval <duration>', 'between renewals of the node\'s Lease in kube-node-lease (the kubelet\'s 10s, a quarter of its 40s duration)', '10s')
    .addHelpText('after', '\nRegistries: CAs and client certificates for a registry go in <data-dir>/certs.d/HOST:PORT/ (ca.crt, client.cert,\nclient.key), credentials for every pod in <data-dir>/config.json (docker\'s format); both are read at each pull.\n\nStart it in a session of its own (`setsid peapod serve`, as scripts/setup-and-run.sh does): it then raises\nits session\'s CPU priority, and its API stays responsive while pods start and stop by the hundred.')
    .addHelpText('after', examples('setsid peapod serve >> /var/log/peapod.log 2>&1 < /dev/null &    # as root', 'sudo sh -c \'setsid peapod serve >> /var/log/peapod.log 2>&1 < /dev/null &\'', 'sudo peapod serve --listen 0.0.0.0:6443 --pod-cidr 10.88.0.0/16', 'sudo peapod --data-dir /srv/peapod serve --warm-pool 4 --max-pods 50'))
    .action(run(async (ctx, o: ServeOptions) => {
      const { apiAudiences, maxBackoff, maxPods: maxPodsText, insecureRegistry, imageGcHighThreshold, imageGcLowThreshold, maxImageUpload, eventTtl, nodeLeaseRenewInterval, metricsResolution, podPidsLimit: podPidsText, warmPool: warmPoolText, allowedUnsafeSysctls: unsafeSysctlsText, maxWatches: maxWatchesText, maxWatchesPerClient: maxWatchesPerClientText, maxRequestBody, maxRequestHeader, maxConnections, maxConnectionsPerClient, requestHeaderTimeout, requestTimeout, ...rest } = o;
      const { parseServerLimitFlags } = await import('../api/server-limit-flags.js');
      let apiLimits;
      try {
        apiLimits = parseServerLimitFlags({ maxRequestBody, maxRequestHeader, maxConnections, maxConnectionsPerClient, requestHeaderTimeout, requestTimeout }, parseDurationMs);
      } catch (err) {
        throw new CliError(`error: ${(err as Error).message}`);
      }
      const eventTtlMs = parseDurationMs(eventTtl ?? '1h');
      const nodeLeaseRenewIntervalMs = parseDurationMs(nodeLeaseRenewInterval ?? '10s');
      if (eventTtlMs < 1000 || nodeLeaseRenewIntervalMs < 1000) throw new CliError('error: --event-ttl and --node-lease-renew-interval must be at least 1s');
      const { NODE_LEASE_DURATION_SECONDS } = await import('../node/node-lease.js');
      if (nodeLeaseRenewIntervalMs > NODE_LEASE_DURATION_SECONDS * 1000) {
        throw new CliError(`error: invalid argument "${nodeLeaseRenewInterval}" for --node-lease-renew-interval: must be no longer than the node lease's ${NODE_LEASE_DURATION_SECONDS}s duration, or the lease expires between renewals`);
      }
      const imageGcHighPercent = parseIntArg(imageGcHighThreshold ?? '85');
      const imageGcLowPercent = parseIntArg(imageGcLowThreshold ?? '80');
      if (!(imageGcLowPercent >= 0 && imageGcLowPercent < imageGcHighPercent && imageGcHighPercent <= 100)) {
        throw new CliError('error: image GC thresholds must satisfy 0 <= --image-gc-low-threshold < --image-gc-high-threshold <= 100');
      }
      const { parseByteSize } = await import('../api/upload-limit.js');
      let maxImageUploadBytes: number;
      try {
        maxImageUploadBytes = parseByteSize(maxImageUpload ?? '8Gi');
      } catch (err) {
        throw new CliError(`error: --max-image-upload: ${(err as Error).message}`);
      }
      let maxLayerBytes: number;
      try {
        maxLayerBytes = parseByteSize(o.maxLayerSize ?? '32Gi');
      } catch (err) {
        throw new CliError(`error: --max-layer-size: ${(err as Error).message}`);
      }
      if (maxLayerBytes < 1) throw new CliError('error: --max-layer-size must be at least 1 byte');
      const maxBackoffMs = parseDurationMs(maxBackoff ?? '5m');
      if (maxBackoffMs < 1000) throw new CliError('error: --max-backoff must be at least 1s');
      const metricsResolutionMs = parseDurationMs(metricsResolution ?? '15s');
      if (metricsResolutionMs < 1000) throw new CliError('error: --metrics-resolution must be at least 1s');
      const maxPods = parseIntArg(maxPodsText ?? '110');
      if (maxPods < 1) throw new CliError('error: --max-pods must be at least 1');
      const podPidsLimit = parseIntArg(podPidsText ?? '4096');
      if (podPidsLimit === 0 || podPidsLimit < -1) throw new CliError('error: --pod-pids-limit must be -1 (no limit) or at least 1');
      const warmPool = parseIntArg(warmPoolText ?? '0');
      if (warmPool < 0 || warmPool > MAX_WARM_POOL) throw new CliError(`error: --warm-pool must be from 0 to ${MAX_WARM_POOL}`);
      const allowedUnsafeSysctls = (unsafeSysctlsText ?? '').split(',').map((x) => x.trim()).filter(Boolean);
      const { SysctlAllowlist } = await import('../k8s/sysctls.js');
      try {
        new SysctlAllowlist(allowedUnsafeSysctls);
      } catch (err) {
        throw new CliError(`error: --allowed-unsafe-sysctls: ${(err as Error).message}`);
      }
      const watchLimits = { total: parseIntArg(maxWatchesText ?? '4096'), perClient: parseIntArg(maxWatchesPerClientText ?? '1024') };
      if (watchLimits.total < 1 || watchLimits.perClient < 1) throw new CliError('error: --max-watches and --max-watches-per-client must be at least 1');
      const { runDaemon } = await import('../daemon.js');
      await runDaemon({ dataDir: ctx.globals.dataDir ?? DEFAULT_DATA_DIR, ...rest, ...(apiAudiences ? { apiAudiences: apiAudiences.split(',').map((x) => x.trim()).filter(Boolean) } : {}), maxBackoffMs, maxPods, insecureRegistries: insecureRegistry, imageGcHighPercent, imageGcLowPercent, maxImageUploadBytes, maxLayerBytes, eventTtlMs, nodeLeaseRenewIntervalMs, metricsResolutionMs, podPidsLimit, warmPool, allowedUnsafeSysctls, watchLimits, apiLimits });
    }));

  program
    .command('setup')
    .summary('install the host\'s programs and the peapod command')
    .description('check and install host programs, build localhost/busybox:latest, and put the peapod command on PATH')
    .option('--no-install', 'only check; do not apt-get install missing packages nor link the command')
    .option('--skip-image', 'do not build the busybox image')
    .option('--no-path', 'do not link /usr/local/bin/peapod to this checkout')
    .option('--uninstall', 'only remove /usr/local/bin/peapod, if it links to this checkout')
    .addHelpText('after', '\nThe command on PATH is a link, /usr/local/bin/peapod → this checkout\'s bin/peapod.js: it runs the\ncheckout\'s build (`npm run build`). A /usr/local/bin/peapod that is not such a link is left alone.\n\nExamples:\n  sudo peapod setup\n  sudo node bin/peapod.js setup --no-install     # only check the host\n  sudo peapod setup --uninstall')
    .action(run(async (ctx, o: { install: boolean; skipImage?: boolean; path: boolean; uninstall?: boolean }) => {
      const link = await import('../setup/command-link.js');
      if (o.uninstall) {
        if (process.getuid?.() !== 0) throw new CliError('error: peapod setup --uninstall must run as root: /usr/local/bin is root\'s (try sudo)');
        return ctx.out(await link.uninstallCommand());
      }
      const [{ runSetup }, { HostExec }, { createLogger }] = await Promise.all([
        import('../setup/setup.js'),
        import('../system/exec.js'),
        import('../system/logger.js'),
      ]);
      await runSetup({
        dataDir: ctx.globals.dataDir ?? DEFAULT_DATA_DIR,
        install: o.install,
        skipImage: o.skipImage === true,
        exec: new HostExec(),
        logger: createLogger({ level: 'warn', name: 'peapod-setup' }),
        out: (l) => ctx.out(l),
        command: { install: o.path },
      });
    }));

  program
    .command('reset')
    .summary('remove all a data dir\'s engine made on the host')
    .description('stop and remove every container and sandbox of the data dir, and all the engine made on the host for them (needs root)')
    .option('--force', 'stop the daemon serving the data dir first (SIGTERM, SIGKILL after 30 s)')
    .option('--all', 'remove the data dir too (store, images, volumes\' data, certificates) and the pods\' logs')
    .addHelpText('after', `
Removes, for this data dir only: conmon processes, runc containers, mounts (rootfs overlays, volumes,
/dev/shm, netns files), the pods' veths and nat chains, the bridge, the node masquerade chain, IP
reservations, cgroups and the run dir. The data dir is kept unless --all: a daemon started on it again
runs its pods anew. Works after a crash and after the data dir was deleted (the names derive from its
path). CNI's shared CNI-HOSTPORT-* chains go only when no CNI user's pod uses them.`)
    .addHelpText('after', examples('sudo peapod reset --force', 'sudo peapod --data-dir /tmp/gone reset --all'))
    .action(run(async (ctx, o: { force?: boolean; all?: boolean }) => {
      const { runReset } = await import('./commands/reset.js');
      await runReset(ctx, { dataDir: ctx.globals.dataDir ?? DEFAULT_DATA_DIR, force: o.force === true, all: o.all === true });
    }));

  program
    .command('kubeconfig')
    .summary('print the admin kubeconfig, or mint one for a user')
    .description('print the admin kubeconfig the daemon wrote; with --user, mint a client certificate for another user (needs root)')
    .option('--user <name>', 'the user to mint a client certificate for (the certificate\'s CN)')
    .option('--group <group>', 'a group of that user (the certificate\'s O); repeat for more, e.g. --group peapod:viewers', collect, [])
    .option('--days <n>', 'how long the minted certificate is valid', '365')
    .addHelpText('after', examples('sudo peapod kubeconfig > ~/.kube/config', 'sudo peapod kubeconfig --user alice --group peapod:viewers --days 30 > alice.kubeconfig'))
    .action(run(async (ctx, o: { user?: string; group: string[]; days: string }) => {
      const file = nodePaths(ctx.globals.dataDir).kubeconfigPath;
      const text = await fs.readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'EACCES') throw new CliError(`error: cannot read ${file}: permission denied (the admin kubeconfig is root's)`);
        throw new CliError(`error: no kubeconfig at ${file}: is \`peapod serve\` running with this data dir?`);
      });
      if (!o.user) {
        if (o.group.length) throw new CliError('error: --group needs --user');
        return ctx.io.stdout(text);
      }
      const { mintKubeconfig } = await import('./mint-kubeconfig.js');
      ctx.io.stdout(await mintKubeconfig({ dataDir: ctx.globals.dataDir ?? DEFAULT_DATA_DIR, adminKubeconfig: text, user: o.user, groups: o.group, days: o.days, now: ctx.io.clock.now() }));
    }));

  // `completion bash|zsh|fish` and the hidden `__complete` its scripts run on TAB.
  addCompletionCommands(program, io);

  return program;
}

function defaultIO(): CliIO {
  const tty = process.stdin.isTTY && process.stdout.isTTY;
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    stdoutBytes: (b) => void process.stdout.write(b),
    stderrBytes: (b) => void process.stderr.write(b),
    ...(tty
      ? {
          terminal: {
            setRawMode: (raw: boolean) => void process.stdin.setRawMode?.(raw),
            size: () => ({ width: process.stdout.columns ?? 80, height: process.stdout.rows ?? 24 }),
            onResize: (l: () => void) => {
              process.stdout.on('resize', l);
              return () => void process.stdout.off('resize', l);
            },
          },
        }
      : {}),
    stdin: process.stdin,
    env: process.env,
    clock: new SystemClock(),
  };
}

/** The checkout's examples (dist/src/cli/ → examples/), for lines that paste from any directory. */
const EXAMPLES_DIR = fileURLToPath(new URL('../../../examples', import.meta.url));

/** The commands `peapod` with no arguments shows, by what they are for (every visible command is in one). */
export const COMMAND_GROUPS: [string, string[]][] = [
  ['Daily commands (kubectl\'s habits)', ['get', 'describe', 'logs', 'apply', 'create', 'delete']],
  ['Getting inside a pod', ['exec', 'attach', 'port-forward', 'debug', 'anatomy', 'dashboard']],
  ['Images and the runtime', ['image', 'runtime']],
  ['The node (as root)', ['serve', 'setup', 'reset', 'kubeconfig']],
  ['This CLI', ['version', 'completion']],
];

/** `peapod` alone: the daily commands first, then the rest, and where to start. */
export function overview(program: Command): string {
  const byName = new Map(program.commands.map((c) => [c.name(), c]));
  const out = [`peapod: ${program.description()}`, ''];
  const label = (c: Command) => c.name() + (c.commands.length ? ` ${c.commands.map((x) => x.name()).join('|')}` : '');
  const width = Math.max(...program.commands.map((c) => label(c).length)) + 3;
  for (const [title, names] of COMMAND_GROUPS) {
    const cmds = names.map((n) => byName.get(n)).filter((c): c is Command => c !== undefined);
    if (cmds.length === 0) continue;
    out.push(`${title}:`);
    for (const c of cmds) out.push(`  ${label(c).padEnd(width)}${c.summary() || c.description()}`);
    out.push('');
  }
  out.push(
    'Start here:',
    `  ${startDaemonCommand(undefined, process.getuid?.() === 0)}     # the node daemon (or: bash scripts/setup-and-run.sh)`,
    `  peapod apply -f ${shellQuote(EXAMPLES_DIR)}/two-containers.yaml`,
    '  peapod get pods -o wide',
    '  peapod anatomy two-containers',
    '',
    'Global flags: -n NAMESPACE, --data-dir DIR, --kubeconfig FILE, -v LEVEL. `peapod COMMAND --help` shows a',
    'command\'s flags and examples; `peapod --help` lists every command.',
  );
  return out.join('\n') + '\n';
}

/**
 * kubectl's `--flag=true|false` on a boolean flag (`--no-headers=true`, `-w=false`, `-A=true`), which
 * commander does not read: `=true` is the flag alone, `=false` no flag (every boolean flag here defaults
 * to off, --no-headers included). Words after `--` are a command's and left as they are.
 */
export function normalizeBooleanFlags(program: Command, argv: string[]): string[] {
  const booleans = new Set<string>();
  const walk = (c: Command) => {
    for (const o of c.options) if (!o.required && !o.optional) for (const name of [o.long, o.short]) if (name) booleans.add(name);
    c.commands.forEach(walk);
  };
  walk(program);
  const end = argv.indexOf('--');
  const out: string[] = [];
  for (const [i, a] of argv.entries()) {
    const m = end >= 0 && i >= end ? null : /^(--?[\w-]+)=(true|false)$/i.exec(a);
    if (m && booleans.has(m[1]!)) {
      if (m[2]!.toLowerCase() === 'true') out.push(m[1]!);
    } else out.push(a);
  }
  return out;
}

/** Runs the CLI on the user's arguments (without node and the script) and returns the exit code. */
export async function main(argv: string[], io: CliIO = defaultIO()): Promise<number> {
  const program = buildProgram(io);
  if (argv.length === 0) {
    io.stdout(overview(program));
    return 0;
  }
  try {
    await program.parseAsync(normalizeBooleanFlags(program, argv), { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    const msg = err instanceof Error ? err.message : String(err);
    if (msg) io.stderr(/^(error|Error from server|The connection|Unable to connect|Warning)/.test(msg) || msg.includes('\n') ? `${msg}\n` : `error: ${msg}\n`);
    // By name: a host command's modules (reset) load outside the CLI's bundle, with a CliError class of their own.
    return err instanceof Error && err.name === 'CliError' && typeof (err as CliError).exitCode === 'number' ? (err as CliError).exitCode : 1;
  }
}
