// Where certificates are made. The daemon makes them rarely (first start, renewal) but the library that
// makes them (@peculiar/x509 with its ASN.1 stack) would add ~19 MB to its resident memory for good, so
// each making runs in a short-lived worker thread whose isolate is freed when it ends. Short-lived
// processes (the CLI, tests) make them in process.

import { Worker } from 'node:worker_threads';
import type { CertAndKey } from './cert-facts.js';
import type { CertUsage, IssueOptions } from './certs.js';

export type CertJob =
  | { op: 'ca'; commonName: string; opts: IssueOptions }
  | { op: 'leaf'; ca: CertAndKey; usage: CertUsage; opts: IssueOptions };

export interface CertMaker {
  createCa(commonName: string, opts: IssueOptions): Promise<CertAndKey>;
  issueCert(ca: CertAndKey, usage: CertUsage, opts: IssueOptions): Promise<CertAndKey>;
}

/** Makes certificates in this process (loads the library on first use). */
export const inProcessCertMaker: CertMaker = {
  createCa: async (commonName, opts) => (await import('./certs.js')).createCa(commonName, opts),
  issueCert: async (ca, usage, opts) => (await import('./certs.js')).issueCert(ca, usage, opts),
};

function inWorker(job: CertJob): Promise<CertAndKey> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./cert-worker.js', import.meta.url), { workerData: job });
    let result: CertAndKey | undefined;
    w.once('message', (m: CertAndKey) => (result = m));
    w.once('error', reject);
    w.once('exit', (code) => (result ? resolve(result) : reject(new Error(`certificate worker exited with ${code} and no certificate`))));
  });
}

/** Makes each certificate in a worker thread of its own. */
export const workerCertMaker: CertMaker = {
  createCa: (commonName, opts) => inWorker({ op: 'ca', commonName, opts }),
  issueCert: (ca, usage, opts) => inWorker({ op: 'leaf', ca, usage, opts }),
};
