// Runs one certificate making (certs.ts) in a worker thread and posts the PEMs back: the x509 library
// lives and dies with this thread's isolate, not in the daemon's heap. See cert-maker.ts.

import { parentPort, workerData } from 'node:worker_threads';
import { createCa, issueCert } from './certs.js';
import type { CertJob } from './cert-maker.js';

const job = workerData as CertJob;
const result = job.op === 'ca' ? await createCa(job.commonName, job.opts) : await issueCert(job.ca, job.usage, job.opts);
parentPort!.postMessage(result);
