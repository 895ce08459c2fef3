// `peapod kubeconfig --user NAME [--group G]…`: a client certificate for NAME signed by the daemon's CA
// (so it needs root, who alone reads the CA key), in a kubeconfig for the same server as the admin's.
// What NAME may do follows from its groups: system:masters everything, peapod:viewers read-only,
// none: only discovery and the self reviews (`kubectl auth can-i`, `kubectl auth whoami`).

import { renderKubeconfig } from '../api/kubeconfig.js';
import { mintClientCert } from '../api/auth/pki.js';
import { CliError } from './context.js';
import { parseKubeconfig } from './kubeconfig.js';

export async function mintKubeconfig(o: { dataDir: string; adminKubeconfig: string; user: string; groups: string[]; days: string; now: number }): Promise<string> {
  const days = Number(o.days);
  if (!Number.isInteger(days) || days < 1 || days > 3650) throw new CliError(`error: --days must be a whole number of days from 1 to 3650, got ${JSON.stringify(o.days)}`);
  if (!o.user.trim() || /[\x00-\x1f\x7f]/.test(o.user)) throw new CliError(`error: invalid user name ${JSON.stringify(o.user)}`);
  for (const g of o.groups) {
    if (!g.trim() || /[\x00-\x1f\x7f]/.test(g)) throw new CliError(`error: invalid group name ${JSON.stringify(g)}`);
  }
  const admin = parseKubeconfig(o.adminKubeconfig);
  let minted;
  try {
    minted = await mintClientCert(o.dataDir, o.user, o.groups, { now: o.now, validDays: days });
  } catch (err) {
    throw new CliError(`error: ${(err as Error).message}`);
  }
  return renderKubeconfig(admin.server, {
    caPem: admin.ca?.toString('utf8'),
    client: minted.client,
    userName: o.user,
    namespace: admin.namespace !== 'default' ? admin.namespace : undefined,
  });
}
