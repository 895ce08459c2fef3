// The pure half of the CNI client: conflist rendering, the per-plugin config libcni would build,
// the CNI_* environment, plugin error and result parsing. No I/O here; cni-invoke.ts runs plugins.
//
// Protocol (CNI spec 1.0.0, as libcni does it): each plugin of a list gets the list's name and
// cniVersion, ADD runs in order chaining `prevResult`, DEL runs in reverse with the cached final
// result as `prevResult`; a plugin declaring `capabilities.portMappings` receives
// `runtimeConfig.portMappings` and `capabilities` itself is stripped before sending.

import { isIPv4 } from 'node:net';

import type { PortMapping } from '../runtime.js';

export const CNI_VERSION = '1.0.0';
/** The loopback network, a separate single-plugin list invoked with CNI_IFNAME=lo (as CRI-O, containerd). */
export const LOOPBACK_NETWORK = 'cni-loopback';
export const POD_IFNAME = 'eth0';
export const LOOPBACK_IFNAME = 'lo';

export type CniCommand = 'ADD' | 'DEL' | 'CHECK' | 'VERSION';

/** A plugin entry of a conflist: `type` plus plugin-specific fields. */
export interface PluginConf {
  type: string;
  capabilities?: Record<string, boolean>;
  [key: string]: unknown;
}

export interface Conflist {
  cniVersion: string;
  name: string;
  plugins: PluginConf[];
}

/** The portMappings capability arg, in the shape portmap expects (lower-case protocol). */
export interface CniPortMapping {
  hostPort: number;
  containerPort: number;
  protocol: string;
  hostIP?: string;
}

export interface CapabilityArgs {
  portMappings?: CniPortMapping[];
}

export interface CniInterface {
  name: string;
  mac?: string;
  sandbox?: string;
}

export interface CniIpConfig {
  interface?: number;
  address: string;
  gateway?: string;
}

/** A CNI 1.0.0 result (only the fields the engine reads are typed). */
export interface CniResult {
  cniVersion?: string;
  interfaces?: CniInterface[];
  ips?: CniIpConfig[];
  routes?: { dst: string; gw?: string }[];
  dns?: unknown;
}

/** The pod identity passed as CNI_ARGS and recorded in the cache. */
export interface CniRuntimeArgs {
  containerId: string;
  netns: string;
  ifName: string;
  podNamespace: string;
  podName: string;
  podUid: string;
}

/** Parses an IPv4 CIDR and returns its first host address (the bridge gateway): 10.88.0.0/16 → 10.88.0.1. */
export function gatewayOf(cidr: string): string {
  return intToIPv4(parseCidr(cidr).network + 1);
}

/** `10.88.201.77/24` → `10.88.201.0/24`: the network as iptables prints it. */
export function networkOf(cidr: string): string {
  const { network, prefix } = parseCidr(cidr);
  return `${intToIPv4(network)}/${prefix}`;
}

function parseCidr(cidr: string): { network: number; prefix: number } {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(cidr);
  if (!m || !isIPv4(m[1]!)) throw new Error(`pod cidr "${cidr}" is not an IPv4 CIDR`);
  const prefix = Number(m[2]);
  if (prefix < 8 || prefix > 30) throw new Error(`pod cidr "${cidr}" must have a prefix length between 8 and 30`);
  const addr = m[1]!.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const size = 2 ** (32 - prefix);
  return { network: addr - (addr % size), prefix };
}

function intToIPv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/**
 * The node's pod network: bridge + host-local IPAM, then portmap for hostPorts. `ipMasq` is off: pod
 * egress is masqueraded by one node-level rule set for the whole pod CIDR (node-masq.ts), so a pod
 * without hostPorts costs no iptables work on ADD or DEL (the per-pod CNI-<hash> chain did).
 */
export function renderBridgeConflist(opts: {
  networkName: string;
  bridgeName: string;
  ipamDir: string;
  podCidr: string;
}): Conflist {
  return {
    cniVersion: CNI_VERSION,
    name: opts.networkName,
    plugins: [
      {
        type: 'bridge',
        bridge: opts.bridgeName,
        isGateway: true,
        ipMasq: false,
        hairpinMode: true,
        ipam: {
          type: 'host-local',
          dataDir: opts.ipamDir,
          ranges: [[{ subnet: opts.podCidr, gateway: gatewayOf(opts.podCidr) }]],
          routes: [{ dst: '0.0.0.0/0' }],
        },
      },
      { type: 'portmap', capabilities: { portMappings: true }, snat: true },
    ],
  };
}

/**
 * The plugins one attachment runs: portmap only when there is a host port to map (it takes the
 * xtables lock on ADD and DEL even with no mappings). The result is what ADD runs and what the cache
 * records, so DEL runs exactly the same plugins; records written before this selection (portmap
 * and ipMasq always on) are deleted from their own cached config.
 */
export function selectPlugins(list: Conflist, caps: CapabilityArgs): Conflist {
  const hasHostPorts = (caps.portMappings ?? []).some((m) => m.hostPort > 0);
  if (hasHostPorts) return list;
  return { ...list, plugins: list.plugins.filter((p) => p.type !== 'portmap') };
}

/** Whether a list (possibly an old cached one) masquerades per pod (bridge ipMasq: a CNI-<hash> chain). */
export function masqueradesPerPod(list: Conflist): boolean {
  return list.plugins.some((p) => p.type === 'bridge' && p.ipMasq === true);
}

export function renderLoopbackConflist(): Conflist {
  return { cniVersion: CNI_VERSION, name: LOOPBACK_NETWORK, plugins: [{ type: 'loopback' }] };
}

/** Kubernetes port mappings → the portMappings capability arg (protocol lower-cased as ocicni does). */
export function toCniPortMappings(mappings: PortMapping[]): CniPortMapping[] {
  return mappings.map((m) => ({
    hostPort: m.hostPort,
    containerPort: m.containerPort,
    protocol: m.protocol.toLowerCase(),
    ...(m.hostIP ? { hostIP: m.hostIP } : {}),
  }));
}

/**
 * The config one plugin receives on stdin: the plugin entry with the list's name and cniVersion,
 * `capabilities` stripped, `runtimeConfig` holding only the capability args it declared, and the
 * previous plugin's result (ADD) or the cached result (DEL) as `prevResult`.
 */
export function buildPluginConfig(
  list: Conflist,
  plugin: PluginConf,
  capabilityArgs: CapabilityArgs,
  prevResult: unknown,
): Record<string, unknown> {
  const { capabilities, ...rest } = plugin;
  const conf: Record<string, unknown> = { ...rest, name: list.name, cniVersion: list.cniVersion };
  const runtimeConfig: Record<string, unknown> = {};
  for (const [cap, enabled] of Object.entries(capabilities ?? {})) {
    const value = (capabilityArgs as Record<string, unknown>)[cap];
    if (enabled && value !== undefined) runtimeConfig[cap] = value;
  }
  if (Object.keys(runtimeConfig).length > 0) conf.runtimeConfig = runtimeConfig;
  if (prevResult !== undefined && prevResult !== null) conf.prevResult = prevResult;
  return conf;
}

/** CNI_ARGS pairs in the order the kubelet/CRI-O send them. */
export function buildCniArgs(args: CniRuntimeArgs): [string, string][] {
  return [
    ['IgnoreUnknown', '1'],
    ['K8S_POD_NAMESPACE', args.podNamespace],
    ['K8S_POD_NAME', args.podName],
    ['K8S_POD_INFRA_CONTAINER_ID', args.containerId],
    ['K8S_POD_UID', args.podUid],
  ];
}

/** The plugin environment; `basePath` is the PATH plugins use to find iptables. */
export function buildCniEnv(opts: {
  command: CniCommand;
  args: CniRuntimeArgs;
  cniPath: string[];
  basePath: string;
}): Record<string, string> {
  return {
    PATH: opts.basePath,
    CNI_COMMAND: opts.command,
    CNI_CONTAINERID: opts.args.containerId,
    CNI_NETNS: opts.args.netns,
    CNI_IFNAME: opts.args.ifName,
    CNI_PATH: opts.cniPath.join(':'),
    CNI_ARGS: buildCniArgs(opts.args)
      .map(([k, v]) => `${k}=${v}`)
      .join(';'),
  };
}

/** A plugin's failure as the spec reports it: exit status 1 with `{code,msg,details}` on stdout. */
export interface CniPluginFailure {
  /** CNI error code (1 version, 2 unsupported field, 3 unknown container, 4 bad env, 5 I/O, 6 decode, 7 invalid config, 11 retry later, ≥100 plugin-specific); 0 when the plugin printed no error object. */
  code: number;
  msg: string;
  details?: string;
}

export function parsePluginFailure(exitCode: number, stdout: string, stderr: string): CniPluginFailure {
  try {
    const obj = JSON.parse(stdout) as { code?: unknown; msg?: unknown; details?: unknown };
    if (obj && typeof obj.msg === 'string') {
      return {
        code: typeof obj.code === 'number' ? obj.code : 0,
        msg: obj.msg,
        ...(typeof obj.details === 'string' && obj.details ? { details: obj.details } : {}),
      };
    }
  } catch {
    /* not JSON: fall through to the raw output */
  }
  const text = (stderr || stdout).trim();
  return { code: 0, msg: text || `exit status ${exitCode}` };
}

/** One line naming the failure, for error messages: `msg: details (cni error code N)`. */
export function describePluginFailure(f: CniPluginFailure): string {
  const detail = f.details && f.details !== f.msg ? `: ${f.details}` : '';
  return `${f.msg}${detail}${f.code ? ` (cni error code ${f.code})` : ''}`;
}

export function parseResult(stdout: string): CniResult {
  let obj: unknown;
  try {
    obj = JSON.parse(stdout);
  } catch (err) {
    throw new Error(`cni result is not JSON: ${stdout.slice(0, 200)}`, { cause: err });
  }
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new Error('cni result is not an object');
  return obj as CniResult;
}

/**
 * The pod's IPv4 address and gateway from a bridge result: the first IPv4 entry on an interface
 * inside the sandbox (one with `sandbox` set), else the first IPv4 entry.
 */
export function podAddressOf(result: CniResult): { ip: string; gateway: string } {
  const ips = (result.ips ?? []).filter((c) => isIPv4(c.address.split('/')[0] ?? ''));
  const inSandbox = ips.find((c) => c.interface !== undefined && result.interfaces?.[c.interface]?.sandbox);
  const chosen = inSandbox ?? ips[0];
  if (!chosen) throw new Error('cni result has no IPv4 address');
  return { ip: chosen.address.split('/')[0]!, gateway: chosen.gateway ?? '' };
}
