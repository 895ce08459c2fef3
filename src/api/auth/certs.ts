// Making X.509 certificates: a self-signed CA, serving certificates (SANs for the API's names and
// addresses) and client certificates (the user in CN, groups in O, as Kubernetes reads them). Keys are
// ECDSA P-256, PKCS#8 PEM, which Go's crypto/tls (kubectl) and Node both take. Made with @peculiar/x509
// over WebCrypto; reading is cert-facts.ts's, with Node's own X509Certificate. The daemon makes
// certificates in a worker thread (cert-maker.ts), so this library never stays in its memory.

import 'reflect-metadata';
import { webcrypto, randomBytes } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { OID_CLIENT_AUTH, OID_SERVER_AUTH, type CertAndKey, type ServingNames } from './cert-facts.js';

export type { CertAndKey, ServingNames } from './cert-facts.js';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
/** Certificates are back-dated a little, so a client whose clock lags does not see "not yet valid". */
const BACKDATE_MS = 5 * 60_000;

export interface IssueOptions {
  /** Unix ms the certificate is made at (its notBefore, minus a small back-dating). */
  now: number;
  validDays: number;
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

