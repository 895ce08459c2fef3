// The daemon's PKI under <data-dir>/pki (0700, keys 0600, root's): a CA made on first start, a serving
// certificate for the API's names and addresses, and the admin client certificate the daemon's own
// kubeconfig carries. Certificates are renewed before they expire (30 days ahead, or at once when the
// node's names or addresses changed or the CA no longer issued them); the CA itself lasts ten years.
// `--tls-cert-file`/`--tls-private-key-file` replace the serving pair (re-read when the files change).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from '../../system/atomic-file.js';
import type { Logger } from '../../system/logger.js';
import { certFacts, normalizeIp, type CertAndKey, type ServingNames } from './cert-facts.js';
import { inProcessCertMaker, type CertMaker } from './cert-maker.js';
import { GROUP_MASTERS } from './types.js';

export const CA_VALID_DAYS = 3650;
export const LEAF_VALID_DAYS = 365;
export const RENEW_BEFORE_DAYS = 30;
/** The user the daemon's own kubeconfig authenticates as. */
export const ADMIN_USER = 'peapod-admin';
export const ADMIN_GROUPS = [GROUP_MASTERS];

export interface PkiFiles {
  dir: string;
  caCert: string;
  caKey: string;
  servingCert: string;
  servingKey: string;
  adminCert: string;
  adminKey: string;
}

export function pkiFiles(dataDir: string): PkiFiles {
  const dir = path.join(dataDir, 'pki');
  return {
    dir,
    caCert: path.join(dir, 'ca.crt'),
    caKey: path.join(dir, 'ca.key'),
    servingCert: path.join(dir, 'apiserver.crt'),
    servingKey: path.join(dir, 'apiserver.key'),
    adminCert: path.join(dir, 'admin.crt'),
    adminKey: path.join(dir, 'admin.key'),
  };
}

/** The names a serving certificate must carry: loopback, localhost, the node name and the node's addresses. */
export function servingNames(nodeName: string, nodeIps: string[]): ServingNames {
  const dns = ['localhost', nodeName.toLowerCase()].filter((n, i, a) => n && a.indexOf(n) === i && !isIp(n));
  const ips = ['127.0.0.1', '::1', ...nodeIps].map(normalizeIp).filter((ip, i, a) => a.indexOf(ip) === i);
  return { dnsNames: dns, ips };
}

const isIp = (s: string) => /^[\d.]+$/.test(s) || s.includes(':');

/**
 * The host's own addresses for the serving certificate: every non-loopback, non-link-local address,
 * except those of pod networking (peapod's bridges, veths), which come and go with pods and test daemons.
 */
export function hostAddresses(interfaces = os.networkInterfaces()): string[] {
  const out: string[] = [];
  for (const [name, addrs] of Object.entries(interfaces)) {
    if (/^(peapod\d*|pp[0-9a-f]{8}|veth.*|cni\d+)$/.test(name)) continue;
    for (const a of addrs ?? []) {
      if (a.internal || a.address.startsWith('fe80:') || a.address.startsWith('169.254.')) continue;
      out.push(a.address);
    }
  }
  return out.sort();
}

/** Why a leaf certificate must be made again, or undefined when it is still good. Pure. */
export function renewalReason(
  pair: CertAndKey | undefined,
  want: { now: number; caPem: string; names?: ServingNames },
): string | undefined {
  if (!pair) return 'missing';
  let facts;
  try {
    facts = certFacts(pair.certPem);
  } catch {
    return 'unreadable';
  }
  if (!facts.issuedBy(want.caPem)) return 'not issued by the current CA';
  if (facts.notAfter - want.now < RENEW_BEFORE_DAYS * 86_400_000) return `expires ${new Date(facts.notAfter).toISOString()}`;
  if (want.names) {
    const missing = [...want.names.dnsNames.filter((n) => !facts.dnsNames.includes(n)), ...want.names.ips.filter((ip) => !facts.ips.includes(ip))];
    if (missing.length) return `does not name ${missing.join(', ')}`;
  }
  return undefined;
}

function readPair(certFile: string, keyFile: string): CertAndKey | undefined {
  try {
    return { certPem: fs.readFileSync(certFile, 'utf8'), keyPem: fs.readFileSync(keyFile, 'utf8') };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function writePair(certFile: string, keyFile: string, pair: CertAndKey): Promise<void> {
  // The key first: a crash between the two leaves an old cert with a new key, which renewal replaces.
  await writeFileAtomic(keyFile, pair.keyPem, { mode: 0o600 });
  await writeFileAtomic(certFile, pair.certPem, { mode: 0o644 });
}

export interface PkiState {
  ca: CertAndKey;
  serving: CertAndKey;
  admin: CertAndKey;
}

export interface PkiOptions {
  dataDir: string;
  nodeName: string;
  /** The node's addresses for the serving certificate's SANs (besides loopback). */
  nodeIps: string[];
  now: number;
  logger: Logger;
  /** A serving pair of the operator's own (--tls-cert-file/--tls-private-key-file): used as is. */
  servingFiles?: { certFile: string; keyFile: string };
  /** Where certificates are made; in process by default (the daemon passes the worker-thread maker). */
  maker?: CertMaker;
}

/**
 * Makes `dir` 0700 (and a missing data dir above it), never through a symlink: the CA key read from it
 * is trusted, so a symlink or another file type at pki/ is fatal. The start-up check
 * (node/private-dir.ts) refuses one before this runs; this holds at every renewal too.
 */
function ensurePkiDir(dir: string): void {
  fs.mkdirSync(path.dirname(dir), { recursive: true, mode: 0o700 });
  try {
    fs.mkdirSync(dir, { mode: 0o700 }); // mkdir never follows a symlink at the name: EEXIST
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  let fd: number;
  try {
    fd = fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY | fs.constants.O_NOFOLLOW);
  } catch (err) {
    const st = fs.lstatSync(dir, { throwIfNoEntry: false });
    if (!st || st.isDirectory()) throw new Error(`open pki dir ${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
    const what = st.isSymbolicLink() ? 'is a symlink' : 'is not a directory';
    throw new Error(`pki dir ${dir} ${what}: refusing to use it (the CA key there must be the daemon's own: inspect it, remove it, then start again)`, { cause: err });
  }
  try {
    fs.fchmodSync(fd, 0o700);
  } finally {
    fs.closeSync(fd);
  }
}

/** Loads the PKI, making or renewing what is missing, expiring or stale. Idempotent. */
export async function ensurePki(opts: PkiOptions): Promise<PkiState> {
  const files = pkiFiles(opts.dataDir);
  ensurePkiDir(files.dir);
  const log = opts.logger;
  const { createCa, issueCert } = opts.maker ?? inProcessCertMaker;
  let ca = readPair(files.caCert, files.caKey);
  if (!ca) {
    ca = await createCa(`peapod-ca@${Math.floor(opts.now / 1000)}`, { now: opts.now, validDays: CA_VALID_DAYS });
    await writePair(files.caCert, files.caKey, ca);
    log.info({ file: files.caCert }, 'made the cluster CA');
  } else {
    const left = certFacts(ca.certPem).notAfter - opts.now;
    if (left < 365 * 86_400_000) log.warn({ file: files.caCert, notAfter: new Date(certFacts(ca.certPem).notAfter).toISOString() }, 'the cluster CA expires within a year: remove the pki dir to make a new one (every client certificate must then be minted again)');
  }

  let serving: CertAndKey;
  if (opts.servingFiles) {
    serving = readServingFiles(opts.servingFiles);
  } else {
    const names = servingNames(opts.nodeName, opts.nodeIps);
    const current = readPair(files.servingCert, files.servingKey);
    const why = renewalReason(current, { now: opts.now, caPem: ca.certPem, names });
    if (why) {
      serving = await issueCert(ca, { kind: 'server', names }, { now: opts.now, validDays: LEAF_VALID_DAYS });
      await writePair(files.servingCert, files.servingKey, serving);
      log.info({ reason: why, dns: names.dnsNames, ips: names.ips }, 'made the API serving certificate');
    } else serving = current!;
  }

  let admin = readPair(files.adminCert, files.adminKey);
  const adminWhy = renewalReason(admin, { now: opts.now, caPem: ca.certPem });
  if (adminWhy) {
    admin = await issueCert(ca, { kind: 'client', user: ADMIN_USER, groups: ADMIN_GROUPS }, { now: opts.now, validDays: LEAF_VALID_DAYS });
    await writePair(files.adminCert, files.adminKey, admin);
    log.info({ reason: adminWhy, user: ADMIN_USER }, 'made the admin client certificate');
  }
  return { ca, serving, admin: admin! };
}

export function readServingFiles(f: { certFile: string; keyFile: string }): CertAndKey {
  try {
    return { certPem: fs.readFileSync(f.certFile, 'utf8'), keyPem: fs.readFileSync(f.keyFile, 'utf8') };
  } catch (err) {
    throw new Error(`read the API serving certificate: ${(err as Error).message}`);
  }
}

/** Mints a client certificate with the CA in the data dir (`peapod kubeconfig --user`): needs root. */
export async function mintClientCert(dataDir: string, user: string, groups: string[], opts: { now: number; validDays: number }): Promise<{ ca: CertAndKey; client: CertAndKey }> {
  const files = pkiFiles(dataDir);
  let ca: CertAndKey | undefined;
  try {
    ca = readPair(files.caCert, files.caKey);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EACCES') throw new Error(`read the CA key ${files.caKey}: permission denied (minting a client certificate needs root)`);
    throw err;
  }
  if (!ca) throw new Error(`no CA at ${files.caCert}: start \`peapod serve\` with this data dir once to make it`);
  return { ca, client: await inProcessCertMaker.issueCert(ca, { kind: 'client', user, groups }, opts) };
}
