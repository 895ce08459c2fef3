// The portmap plugin's shared scaffolding: on its first ADD with host ports it makes CNI-HOSTPORT-DNAT
// (one jump per pod's CNI-DN-<hash> chain), CNI-HOSTPORT-SETMARK and CNI-HOSTPORT-MASQ (one fixed rule
// each), and jumps into them from PREROUTING, OUTPUT and POSTROUTING; it never removes them. They are
// shared by every CNI user of the host, so they go only once nothing uses them: no rule left in
// CNI-HOSTPORT-DNAT but jumps to chains being removed, and no per-sandbox CNI chain of anyone's left.
// The removal is one iptables-restore --noflush that deletes CNI-HOSTPORT-DNAT without flushing it: if
// another engine's pod added a host port meanwhile, the delete of a non-empty chain fails and the whole
// script with it, leaving everything as it was. The plugin makes them again on its next ADD.

import { isPerSandboxChain, parseNatChains, parseNatRules } from './leaks.js';

const DNAT = 'CNI-HOSTPORT-DNAT';
const SHARED = [DNAT, 'CNI-HOSTPORT-SETMARK', 'CNI-HOSTPORT-MASQ'];

/**
 * The script removing the scaffolding from `save` (iptables-save -t nat) once the `going` chains are gone,
 * or undefined when it is absent or still in use.
 */
export function planPortmapScaffoldRemoval(save: string, going: ReadonlySet<string> = new Set()): string | undefined {
  const chains = parseNatChains(save);
  const present = SHARED.filter((c) => chains.has(c));
  if (present.length === 0) return undefined;
  if ([...chains].some((c) => isPerSandboxChain(c) && !going.has(c))) return undefined;
  const rules = parseNatRules(save);
  if (rules.some((r) => r.chain === DNAT && !(r.target && going.has(r.target)))) return undefined;
  const lines = ['*nat'];
  for (const r of rules) {
    if (!SHARED.includes(r.chain) && !going.has(r.chain) && r.target && SHARED.includes(r.target)) lines.push(r.line.replace(/^-A /, '-D '));
  }
  for (const c of present) if (c !== DNAT) lines.push(`-F ${c}`);
  for (const c of present) lines.push(`-X ${c}`);
  lines.push('COMMIT', '');
  return lines.join('\n');
}
