// TLS trust per registry, laid out as docker (/etc/docker/certs.d) and containerd (certs.d) lay it out, and
// the rule for when plain HTTP may be used. Read at every call, so a certificate dropped in while the
// daemon runs applies to the next pull.
//
//   <certsDir>/<host[:port]>/
//     *.crt             extra CAs for that registry, added to Node's roots (never replacing them)
//     NAME.cert         a client certificate (mutual TLS) ...
//     NAME.key          ... and its key; one without the other is an error naming both files
//
// A file named ca.cert is the classic mistake: it reads as a client certificate without a key, and the
// error says that CAs end in .crt (as docker's does).
//
// Plain HTTP (allowsPlainHttp): only for a loopback registry (127.0.0.0/8, ::1, localhost) or one the
// node's administrator lists as insecure (host, host:port or CIDR, as docker's insecure-registries).
// The client's policy: HTTPS first, always; HTTP only when it is allowed for the host and the HTTPS attempt
// failed at the connection or TLS level (refused, reset, handshake failure, an HTTP answer to a TLS hello,
// an untrusted certificate) — never after an HTTP-level answer such as 401 or 404.

import { X509Certificate, createPrivateKey } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { InternalError } from '../../errors.js';

/** Connect options for node:tls / node:https; a field left undefined keeps Node's default. */
export interface RegistryTlsOptions {
  /** Node's roots followed by the registry's extra CAs; undefined when there are no extra CAs. */
  ca?: string[];
  /** Client certificate (PEM) for mutual TLS. */
  cert?: string;
  /** Its private key (PEM). */
  key?: string;
}

/** The folder holding one registry's certificates: `<certsDir>/<host[:port]>`. Throws for a name that is not a host. */
export function registryCertsDir(certsDir: string, hostPort: string): string {
  if (hostPort === '' || hostPort === '.' || hostPort === '..' || /[/\\\0]/.test(hostPort)) {
    throw new InternalError(`registry host ${JSON.stringify(hostPort)} cannot name a certificates folder`);
  }
  return path.join(certsDir, hostPort);
}

/**
 * Reads `<certsDir>/<hostPort>/` now and returns the TLS options for that registry: {} when the folder
 * does not exist or holds nothing of use. Throws InternalError naming the file for an unreadable CA, a
 * client certificate without its key (or the reverse), or a pair whose key does not fit the certificate.
 * With several client pairs, the first by file name is used (Node sends one client certificate).
 */
export async function loadRegistryTls(certsDir: string, hostPort: string): Promise<RegistryTlsOptions> {
  const dir = registryCertsDir(certsDir, hostPort);
  let names: string[];
  try {
    names = (await fs.readdir(dir)).sort();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return {};
    throw new InternalError(`read registry certificates ${dir}: ${code ?? 'failed'}`, { cause: e });
  }
  const files = new Set<string>();
  for (const name of names) if (await isFile(path.join(dir, name))) files.add(name);

  const extraCas: string[] = [];
  for (const name of files) {
    if (name.endsWith('.crt')) extraCas.push(...readCaFile(path.join(dir, name), await readText(path.join(dir, name))));
  }
  const pairs: string[] = [];
  for (const name of files) {
    if (name.endsWith('.cert')) {
      const keyName = `${name.slice(0, -'.cert'.length)}.key`;
      if (!files.has(keyName)) {
        throw new InternalError(
          `client certificate ${path.join(dir, name)} has no key ${path.join(dir, keyName)} (CA certificates must end in .crt)`,
        );
      }
      pairs.push(name.slice(0, -'.cert'.length));
    } else if (name.endsWith('.key')) {
      const certName = `${name.slice(0, -'.key'.length)}.cert`;
      if (!files.has(certName)) {
        throw new InternalError(`client key ${path.join(dir, name)} has no certificate ${path.join(dir, certName)}`);
      }
    }
  }

  const out: RegistryTlsOptions = {};
  if (extraCas.length > 0) out.ca = [...tls.rootCertificates, ...extraCas];
  const first = pairs[0];
  if (first !== undefined) {
    const certFile = path.join(dir, `${first}.cert`);
    const keyFile = path.join(dir, `${first}.key`);
    const cert = await readText(certFile);
    const key = await readText(keyFile);
    checkClientPair(certFile, cert, keyFile, key);
    out.cert = cert;
    out.key = key;
  }
  return out;
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await fs.stat(p)).isFile(); // stat, not lstat: certs.d entries are often symlinks
  } catch {
    return false;
  }
}

async function readText(file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new InternalError(`read ${file}: ${(e as NodeJS.ErrnoException).code ?? 'failed'}`, { cause: e });
  }
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

/** The PEM certificates of a .crt file (a bundle may hold several); throws naming the file when there are none or one is bad. */
function readCaFile(file: string, text: string): string[] {
  const pems = text.match(PEM_CERT) ?? [];
  if (pems.length === 0) throw new InternalError(`CA file ${file} holds no PEM certificate`);
  for (const pem of pems) {
    try {
      new X509Certificate(pem);
    } catch {
      throw new InternalError(`CA file ${file} holds a certificate that cannot be read`);
    }
  }
  return pems.map((p) => `${p}\n`);
}

/** Throws naming both files when the certificate or key cannot be read or the key is not the certificate's. */
function checkClientPair(certFile: string, cert: string, keyFile: string, key: string): void {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch {
    throw new InternalError(`client certificate ${certFile} cannot be read (want PEM)`);
  }
  let privateKey: ReturnType<typeof createPrivateKey>;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw new InternalError(`client key ${keyFile} cannot be read (want an unencrypted PEM key)`);
  }
  if (!x509.checkPrivateKey(privateKey)) {
    throw new InternalError(`client key ${keyFile} does not belong to certificate ${certFile}`);
  }
}

/** Splits "host", "host:port", "[v6]:port" or a bare IPv6 address into host and port ("" when none). */
export function splitHostPort(hostPort: string): { host: string; port: string } {
  if (hostPort.startsWith('[')) {
    const end = hostPort.indexOf(']');
    if (end > 0) {
      const after = hostPort.slice(end + 1);
      return { host: hostPort.slice(1, end), port: after.startsWith(':') ? after.slice(1) : '' };
    }
  }
  if (net.isIPv6(hostPort)) return { host: hostPort, port: '' };
  const colon = hostPort.lastIndexOf(':');
  return colon < 0 ? { host: hostPort, port: '' } : { host: hostPort.slice(0, colon), port: hostPort.slice(colon + 1) };
}

/** True for "localhost" (and names under .localhost), 127.0.0.0/8 and ::1. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  if (net.isIPv6(h)) {
    const loop = new net.BlockList();
    loop.addAddress('::1', 'ipv6');
    loop.addSubnet('::ffff:127.0.0.0', 104, 'ipv6');
    return loop.check(h, 'ipv6');
  }
  return false;
}

/** One insecure-registries entry: an exact "host" / "host:port", or a CIDR. */
type InsecureEntry = { kind: 'name'; name: string } | { kind: 'cidr'; list: net.BlockList };

/** Parses an insecure-registries entry; undefined when it is neither a name nor a CIDR. A scheme is dropped, as docker does. */
function parseInsecureEntry(raw: string): InsecureEntry | undefined {
  const entry = raw.trim().replace(/^https?:\/\//i, '').replace(/\/+$/, '').toLowerCase();
  if (entry === '' || /\s/.test(entry)) return undefined;
  const slash = entry.indexOf('/');
  if (slash < 0) return { kind: 'name', name: entry };
  const addr = entry.slice(0, slash);
  const bits = entry.slice(slash + 1);
  const family = net.isIPv4(addr) ? 'ipv4' : net.isIPv6(addr) ? 'ipv6' : undefined;
  if (!family || !/^\d{1,3}$/.test(bits) || Number(bits) > (family === 'ipv4' ? 32 : 128)) return undefined;
  const list = new net.BlockList();
  list.addSubnet(addr, Number(bits), family);
  return { kind: 'cidr', list };
}

/** The entries of an insecure-registries list that are neither host[:port] nor a CIDR, for a warning at start-up. */
export function invalidInsecureEntries(insecureList: readonly string[]): string[] {
  return insecureList.filter((e) => parseInsecureEntry(e) === undefined);
}

/**
 * Whether plain HTTP may be tried for the registry at `hostPort` (as the image reference names it):
 * loopback hosts always; otherwise when `insecureList` names it exactly ("host" matches only an image
 * without a port, "host:5000" only that port, as in docker) or holds a CIDR containing its IP address
 * (any port). Names are not resolved: a CIDR covers only registries written as IP addresses.
 */
export function allowsPlainHttp(hostPort: string, insecureList: readonly string[]): boolean {
  const { host } = splitHostPort(hostPort);
  if (isLoopbackHost(host)) return true;
  const name = hostPort.toLowerCase();
  const family = net.isIPv4(host) ? 'ipv4' : net.isIPv6(host) ? 'ipv6' : undefined;
  for (const raw of insecureList) {
    const entry = parseInsecureEntry(raw);
    if (!entry) continue;
    if (entry.kind === 'name' && entry.name === name) return true;
    if (entry.kind === 'cidr' && family && entry.list.check(host, family)) return true;
  }
  return false;
}
