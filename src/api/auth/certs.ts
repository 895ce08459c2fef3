// Making and reading X.509 certificates: a self-signed CA, serving certificates (SANs for the API's
// names and addresses) and client certificates (the user in CN, groups in O, as Kubernetes reads them).
// Keys are ECDSA P-256, PKCS#8 PEM, which Go's crypto/tls (kubectl) and Node both take. Making uses
// @peculiar/x509 over WebCrypto; reading uses Node's own X509Certificate. Pure apart from randomness.

import 'reflect-metadata';
import { X509Certificate, webcrypto, randomBytes } from 'node:crypto';
import net from 'node:net';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const OID_SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
export const OID_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
/** Certificates are back-dated a little, so a client whose clock lags does not see "not yet valid". */
const BACKDATE_MS = 5 * 60_000;

export interface CertAndKey {
  certPem: string;
  keyPem: string;
}

export interface IssueOptions {
  /** Unix ms the certificate is made at (its notBefore, minus a small back-dating). */
  now: number;
  validDays: number;
}

export interface ServingNames {
  dnsNames: string[];
  ips: string[];
}

async function exportKey(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key as webcrypto.CryptoKey));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n?$/, '\n')}-----END PRIVATE KEY-----\n`;
}

async function importKey(pem: string): Promise<CryptoKey> {
  const b64 = pem.replace(/-----(BEGIN|END) PRIVATE KEY-----/g, '').replace(/\s+/g, '');
  return (await webcrypto.subtle.importKey('pkcs8', Buffer.from(b64, 'base64'), ALG, false, ['sign'])) as unknown as CryptoKey;
}

function serial(): string {
  // Positive, 16 random bytes: unique enough that no two certificates of one CA collide.
  const b = randomBytes(16);
  b[0] &= 0x7f;
  return b.toString('hex');
}

/**
 * An X.500 name from CN and O values, built as structured attributes rather than a string to parse, so
 * no value can spill into another (a group ending in a backslash, a comma, a newline).
 */
export function distinguishedName(cn: string, orgs: string[] = []): x509.JsonName {
  return [...orgs.map((o) => ({ O: [o] })), { CN: [cn] }];
}

function validity(opts: IssueOptions): { notBefore: Date; notAfter: Date } {
  return { notBefore: new Date(opts.now - BACKDATE_MS), notAfter: new Date(opts.now + opts.validDays * 86_400_000) };
}

/** A self-signed CA that signs the serving certificate and every client certificate. */
export async function createCa(commonName: string, opts: IssueOptions): Promise<CertAndKey> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: distinguishedName(commonName),
    ...validity(opts),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: await exportKey(keys.privateKey) };
}

export type CertUsage = { kind: 'server'; names: ServingNames } | { kind: 'client'; user: string; groups: string[] };

/** A leaf certificate signed by `ca`, for serving (with SANs) or for a client (user in CN, groups in O). */
export async function issueCert(ca: CertAndKey, usage: CertUsage, opts: IssueOptions): Promise<CertAndKey> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await importKey(ca.keyPem);
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    await x509.AuthorityKeyIdentifierExtension.create(caCert, false),
  ];
  let subject: x509.JsonName;
  if (usage.kind === 'server') {
    subject = distinguishedName(usage.names.dnsNames[0] ?? 'peapod');
    extensions.push(new x509.ExtendedKeyUsageExtension([OID_SERVER_AUTH], false));
    const alt = [
      ...usage.names.dnsNames.map((value) => ({ type: 'dns' as const, value })),
      ...usage.names.ips.map((value) => ({ type: 'ip' as const, value })),
    ];
    extensions.push(new x509.SubjectAlternativeNameExtension(alt, false));
  } else {
    subject = distinguishedName(usage.user, usage.groups);
    extensions.push(new x509.ExtendedKeyUsageExtension([OID_CLIENT_AUTH], false));
  }
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject,
    issuer: caCert.subject,
    ...validity(opts),
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: ALG,
    extensions,
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: await exportKey(keys.privateKey) };
}

/** The subject's attributes in order, as structured values (for checks and tests). */
export function subjectAttributes(certPem: string): x509.JsonName {
  return new x509.X509Certificate(certPem).subjectName.toJSON();
}

export interface CertFacts {
  notBefore: number;
  notAfter: number;
  dnsNames: string[];
  ips: string[];
  /** Whether `caPem` issued it and its signature verifies. */
  issuedBy(caPem: string): boolean;
}

/** Reads what renewal decisions need from a PEM certificate (the first in the file). Throws when unreadable. */
export function certFacts(certPem: string): CertFacts {
  const c = new X509Certificate(certPem);
  const dnsNames: string[] = [];
  const ips: string[] = [];
  for (const part of (c.subjectAltName ?? '').split(/,\s*/)) {
    if (part.startsWith('DNS:')) dnsNames.push(part.slice(4));
    else if (part.startsWith('IP Address:')) ips.push(normalizeIp(part.slice(11)));
  }
  return {
    notBefore: Date.parse(c.validFrom),
    notAfter: Date.parse(c.validTo),
    dnsNames,
    ips,
    issuedBy(caPem: string) {
      try {
        const ca = new X509Certificate(caPem);
        return c.checkIssued(ca) && c.verify(ca.publicKey);
      } catch {
        return false;
      }
    },
  };
}

/** One spelling per address (Node prints IPv6 SANs in full form, "0:0:…:1"). */
export function normalizeIp(ip: string): string {
  const v = ip.trim();
  if (net.isIPv6(v)) {
    // Expand, then compress the way everyone writes it.
    const sock = new net.SocketAddress({ address: v, family: 'ipv6' });
    return sock.address;
  }
  return v;
}
