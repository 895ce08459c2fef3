// Node-level egress masquerade: one rule set per node for the whole pod CIDR, instead of the bridge
// plugin's per-pod CNI-<hash> chain (ipMasq), so attaching and detaching a pod without hostPorts costs
// no iptables call. Same semantics as the plugin's chain:
//
//   -A POSTROUTING -s <podCidr> -j PEAPOD-MASQ-<key>
//   -A PEAPOD-MASQ-<key> -d <podCidr> -j RETURN        pod → pod stays unNATed
//   -A PEAPOD-MASQ-<key> -d 224.0.0.0/4 -j RETURN      multicast is never masqueraded
//   -A PEAPOD-MASQ-<key> -j MASQUERADE                  everything else leaves as the host
//
// Every rule carries the comment `peapod node masquerade: <networkName>` (deliberately not the CNI
// `name: "<net>"` form, which gc and the tests read as a per-pod owner). Written once at init through
// one iptables-save and at most one atomic iptables-restore --noflush; a restarted daemon finds the
// rules in place and writes nothing. The pure planners are separate from the two thin executors.

import type { Exec } from '../../system/exec.js';
import { runChecked } from '../../system/exec.js';
import { networkOf } from './cni.js';
import { parseNatChains, parseNatRules } from './leaks.js';

const MULTICAST = '224.0.0.0/4';
/** iptables chain names are at most 28 characters. */
const MAX_CHAIN = 28;

export interface NodeMasqSpec {
  /** Our nat chain, from nodeMasqChain(). */
  chain: string;
  /** The node's pod CIDR (normalised to its network address here). */
  podCidr: string;
  networkName: string;
}

/** `PEAPOD-MASQ-<key>` for a data dir's key, `PEAPOD-MASQ-default` for the default data dir. */
export function nodeMasqChain(key: string): string {
  const chain = `PEAPOD-MASQ-${key || 'default'}`;
  if (chain.length > MAX_CHAIN) throw new Error(`node masquerade chain "${chain}" is longer than ${MAX_CHAIN}`);
  return chain;
}

export function nodeMasqComment(networkName: string): string {
  return `peapod node masquerade: ${networkName}`;
}

/** The rules in iptables-save's canonical form (so a saved table compares equal line by line). */
export function nodeMasqRules(spec: NodeMasqSpec): { jump: string; chainRules: string[] } {
  const cidr = networkOf(spec.podCidr);
  const comment = `-m comment --comment "${nodeMasqComment(spec.networkName)}"`;
  return {
    jump: `-A POSTROUTING -s ${cidr} ${comment} -j ${spec.chain}`,
    chainRules: [
      `-A ${spec.chain} -d ${cidr} ${comment} -j RETURN`,
      `-A ${spec.chain} -d ${MULTICAST} ${comment} -j RETURN`,
      `-A ${spec.chain} ${comment} -j MASQUERADE`,
    ],
  };
}

/**
 * The iptables-restore --noflush script that brings `save` (iptables-save -t nat) to exactly one jump
 * and the three chain rules, or undefined when they are already in place. Declaring the chain flushes
 * it, so its rules are rewritten atomically; stale or duplicate jumps are deleted first.
 */
export function planNodeMasq(save: string, spec: NodeMasqSpec): string | undefined {
  const want = nodeMasqRules(spec);
  const rules = parseNatRules(save);
  const jumps = rules.filter((r) => r.chain !== spec.chain && r.target === spec.chain).map((r) => r.line);
  const inChain = rules.filter((r) => r.chain === spec.chain).map((r) => r.line);
  const jumpOk = jumps.length === 1 && jumps[0] === want.jump;
  const chainOk = parseNatChains(save).has(spec.chain) && sameLines(inChain, want.chainRules);
  if (jumpOk && chainOk) return undefined;
  const lines = ['*nat', `:${spec.chain} - [0:0]`];
  if (!jumpOk) lines.push(...jumps.map(toDelete));
  lines.push(...want.chainRules);
  if (!jumpOk) lines.push(want.jump);
  lines.push('COMMIT', '');
  return lines.join('\n');
}

/** The script removing every jump to our chain and the chain itself, or undefined when none is left. */
export function planNodeMasqRemoval(save: string, chain: string): string | undefined {
  const jumps = parseNatRules(save).filter((r) => r.chain !== chain && r.target === chain);
  const exists = parseNatChains(save).has(chain);
  if (!exists && jumps.length === 0) return undefined;
  const lines = ['*nat', ...jumps.map((r) => toDelete(r.line))];
  if (exists) lines.push(`-F ${chain}`, `-X ${chain}`);
  lines.push('COMMIT', '');
  return lines.join('\n');
}

function toDelete(line: string): string {
  return line.replace(/^-A /, '-D ');
}

function sameLines(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((l, i) => l === b[i]);
}

/** Installs the node rule set unless already present; returns whether anything was written. */
export async function installNodeMasq(exec: Exec, spec: NodeMasqSpec): Promise<boolean> {
  const script = planNodeMasq(await runChecked(exec, 'iptables-save', ['-t', 'nat']), spec);
  if (script === undefined) return false;
  await runChecked(exec, 'iptables-restore', ['--noflush', '--wait'], { input: script });
  return true;
}

/** Removes the node rule set (jump and chain); a no-op when it is gone. */
export async function removeNodeMasq(exec: Exec, chain: string): Promise<void> {
  const script = planNodeMasqRemoval(await runChecked(exec, 'iptables-save', ['-t', 'nat']), chain);
  if (script !== undefined) await runChecked(exec, 'iptables-restore', ['--noflush', '--wait'], { input: script });
}
