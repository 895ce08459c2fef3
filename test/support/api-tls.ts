// TLS and credentials for tests that run the API server in-process: a throwaway CA, a serving
// certificate for 127.0.0.1/localhost, client certificates, and an HTTPS request helper that presents
// them. ECDSA keys make this a few milliseconds per certificate.

import https from 'node:https';
import net from 'node:net';
import type { Readable } from 'node:stream';
import { createCa, issueCert, type CertAndKey } from '../../src/api/auth/certs.js';
import { servingNames } from '../../src/api/auth/pki.js';
import { renderKubeconfig } from '../../src/api/kubeconfig.js';
import type { TlsMaterial } from '../../src/api/server.js';

export interface TestPki {
  ca: CertAndKey;
  serving: CertAndKey;
  /** system:masters */
  admin: CertAndKey;
  tls: TlsMaterial;
  client(user: string, groups: string[], opts?: { now?: number; validDays?: number }): Promise<CertAndKey>;
  kubeconfig(url: string, client?: CertAndKey | { token: string }): string;
}

export async function makeTestPki(): Promise<TestPki> {
  const now = Date.now();
  const ca = await createCa('peapod-test-ca', { now, validDays: 30 });
  const serving = await issueCert(ca, { kind: 'server', names: servingNames('localhost', []) }, { now, validDays: 30 });
  const client = (user: string, groups: string[], o: { now?: number; validDays?: number } = {}) =>
    issueCert(ca, { kind: 'client', user, groups }, { now: o.now ?? now, validDays: o.validDays ?? 30 });
  const admin = await client('test-admin', ['system:masters']);
  return {
    ca,
    serving,
    admin,
    tls: { certPem: serving.certPem, keyPem: serving.keyPem, clientCaPem: ca.certPem },
    client,
    kubeconfig: (url, who = admin) => renderKubeconfig(url, { caPem: ca.certPem, ...('token' in who ? { token: who.token } : { client: who }) }),
  };
}

export interface HttpsResult {
  code: number;
  text: string;
  json: any;
}

/** One HTTPS request: trusts `ca`, presents `client` (certificate) or `token` when given. */
export function httpsRequest(
  base: string,
  method: string,
  path: string,
  opts: { ca: string; client?: CertAndKey; token?: string; headers?: Record<string, string>; body?: Buffer | string | Readable } = { ca: '' },
): Promise<HttpsResult> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    const req = https.request(new URL(path, base), {
      method,
      headers,
      ca: opts.ca,
      cert: opts.client?.certPem,
      key: opts.client?.keyPem,
      agent: false,
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ code: res.statusCode ?? 0, text, json });
      });
    });
    req.on('error', reject);
    const body = opts.body;
    if (body && typeof body === 'object' && 'pipe' in body) (body as Readable).pipe(req);
    else req.end(body);
  });
}

/** Sends a plain-HTTP request to a TLS port and returns whatever came back before the server closed. */
export function plainHttpProbe(port: number, path: string): Promise<string> {
  return new Promise<string>((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`));
    let text = '';
    s.on('data', (b) => (text += b.toString('latin1')));
    s.on('close', () => resolve(text));
    s.on('error', () => resolve(text));
    s.setTimeout(3000, () => s.destroy());
  });
}
