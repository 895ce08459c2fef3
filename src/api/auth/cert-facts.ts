// Reading X.509 certificates with Node's own X509Certificate (no library): what renewal decisions and
// authentication need. Kept apart from certs.ts so that reading never loads the making library.

import { X509Certificate } from 'node:crypto';
import net from 'node:net';

export const OID_SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
export const OID_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

export interface CertAndKey {
  certPem: string;
  keyPem: string;
}

export interface ServingNames {
  dnsNames: string[];
  ips: string[];
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
