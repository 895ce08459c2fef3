// Pure selection of leaked network state for gc: per-sandbox nat chains in `iptables-save -t nat`
// output and host-local IPAM files, both owned by sandboxes the runtime no longer knows.
//
// Ownership of a chain is read from the comments the plugins write: bridge's ipMasq rules carry
// `name: "<net>" id: "<ctrId>"`, portmap's jump to its CNI-DN-<hash> chain carries
// `dnat name: "<net>" id: "<ctrId>"`. Only rules naming OUR network are considered, and only
// per-sandbox chains (CNI-<hex>, CNI-DN-<hex>) are ever removed: shared chains such as
// CNI-HOSTPORT-* and other engines' NETAVARK* chains are left alone. Bridge per-pod chains only come
// from attachments made with ipMasq on (cache records written before the node-level masquerade of
// node-masq.ts); the node chain PEAPOD-MASQ-* is never per-sandbox and never selected.

import { isIP } from 'node:net';

export interface NatRule {
  chain: string;
  /** The rule as iptables-save printed it, starting with `-A <chain>`. */
  line: string;
  /** The `-j`/`-g` target. */
  target?: string;
  /** The unescaped `--comment` text. */
  comment?: string;
}

/** Per-sandbox chains: the bridge ipMasq chain CNI-<hash> and portmap's CNI-DN-<hash> (also SN-). */
const PER_SANDBOX_CHAIN = /^CNI-(?:[A-Z]{2}-)?[0-9a-f]{16,}$/;

export function isPerSandboxChain(name: string): boolean {
  return PER_SANDBOX_CHAIN.test(name);
}

/** The rules of the nat table in iptables-save output (other tables are ignored). */
export function parseNatRules(save: string): NatRule[] {
  const rules: NatRule[] = [];
  let table = '';
  for (const raw of save.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('*')) table = line.slice(1);
    if (table !== 'nat' || !line.startsWith('-A ')) continue;
    const chain = line.split(/\s+/)[1] ?? '';
    const target = /\s-[jg]\s+(\S+)/.exec(line)?.[1];
    const comment = /--comment\s+("(?:[^"\\]|\\.)*"|\S+)/.exec(line)?.[1];
    rules.push({
      chain,
      line,
      ...(target ? { target } : {}),
      ...(comment !== undefined ? { comment: unquote(comment) } : {}),
    });
  }
  return rules;
}

/** The chains the nat table declares (`:NAME policy [counters]` lines). */
export function parseNatChains(save: string): Set<string> {
  const chains = new Set<string>();
  let table = '';
  for (const raw of save.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('*')) table = line.slice(1);
    if (table === 'nat' && line.startsWith(':')) chains.add(line.slice(1).split(/\s+/)[0] ?? '');
  }
  chains.delete('');
  return chains;
}

function unquote(s: string): string {
  if (!s.startsWith('"')) return s;
  return s.slice(1, -1).replace(/\\(.)/g, '$1');
}

/** `name: "<net>" id: "<id>"` (optionally prefixed, e.g. `dnat `) → its network and container id. */
export function ownerOf(comment: string): { network: string; id: string } | undefined {
  const m = /(?:^|\s)name: "([^"]*)" id: "([^"]*)"/.exec(comment);
  return m ? { network: m[1]!, id: m[2]! } : undefined;
}

export interface ChainCleanup {
  /** Per-sandbox chains to flush and delete. */
  chains: string[];
  /** Rules (iptables-save lines, `-A …`) in surviving chains that jump to a doomed chain. */
  jumps: string[];
  /** Container ids the chains belonged to, for logs. */
  ids: string[];
}

/**
 * The per-sandbox chains of `networkName` whose owner is not kept: `keep(id)` decides.
 * Pass `() => false` to select every chain of the network.
 */
export function selectLeakedChains(save: string, networkName: string, keep: (id: string) => boolean): ChainCleanup {
  const rules = parseNatRules(save);
  const doomed = new Set<string>();
  const ids = new Set<string>();
  for (const r of rules) {
    const owner = r.comment !== undefined ? ownerOf(r.comment) : undefined;
    if (!owner || owner.network !== networkName || keep(owner.id)) continue;
    for (const c of [r.chain, r.target]) {
      if (c && isPerSandboxChain(c)) {
        doomed.add(c);
        ids.add(owner.id);
      }
    }
  }
  const jumps = rules.filter((r) => !doomed.has(r.chain) && r.target && doomed.has(r.target)).map((r) => r.line);
  return { chains: [...doomed].sort(), jumps, ids: [...ids].sort() };
}

/** An iptables-restore --noflush script for the nat table: delete the jumps, then flush and drop the chains. */
export function renderChainCleanup(c: ChainCleanup): string {
  const lines = ['*nat'];
  for (const j of c.jumps) lines.push(j.replace(/^-A /, '-D '));
  for (const chain of c.chains) lines.push(`-F ${chain}`);
  for (const chain of c.chains) lines.push(`-X ${chain}`);
  lines.push('COMMIT', '');
  return lines.join('\n');
}

export interface IpamFile {
  /** File name inside <ipamDir>/<network>/: an IP address for a reservation. */
  name: string;
  content: string;
}

/**
 * host-local reservation files (`<ip>` containing `<ctrId>\r\n<ifname>`) whose container id is not
 * kept. `last_reserved_ip.*` and `lock` are not reservations and never selected.
 */
export function selectLeakedIpamFiles(files: IpamFile[], keep: (id: string) => boolean): string[] {
  return files
    .filter((f) => isIP(f.name) !== 0)
    .filter((f) => {
      const id = f.content.split(/\r?\n/)[0]?.trim() ?? '';
      return !keep(id);
    })
    .map((f) => f.name)
    .sort();
}
