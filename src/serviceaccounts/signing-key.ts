// The service-account signing key: an RSA key the daemon makes once and keeps in its private data dir
// (<data-dir>/pki/sa.key, 0600, as kubeadm's /etc/kubernetes/pki/sa.key), so that tokens it issued stay
// valid across restarts. Made on first start; a key file that cannot be read as an RSA private key stops
// the start with the file named, instead of silently invalidating every token with a new key.

import fs from 'node:fs';
import path from 'node:path';
import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { writeFileAtomic } from '../system/atomic-file.js';
import { keyIdOf } from './jwt.js';

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The key id tokens carry in their header (jwt.ts keyIdOf). */
  kid: string;
}

export const SIGNING_KEY_FILE = 'sa.key';

/** The key as PEM text; throws naming `file` when it is not an RSA private key. */
export function signingKeyFromPem(pem: string, file = 'signing key'): SigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch (err) {
    throw new Error(`read the service account signing key ${file}: ${(err as Error).message}`, { cause: err });
  }
  if (privateKey.asymmetricKeyType !== 'rsa') throw new Error(`the service account signing key ${file} is ${privateKey.asymmetricKeyType ?? 'not an asymmetric key'}, not RSA`);
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, kid: keyIdOf(publicKey) };
}

/** A new 2048-bit RSA key in PKCS#8 PEM. */
export async function generateSigningKeyPem(): Promise<string> {
  const { privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
}

/** Loads <pkiDir>/sa.key, making it (0600) when absent. */
export async function ensureSigningKey(pkiDir: string): Promise<SigningKey> {
  const file = path.join(pkiDir, SIGNING_KEY_FILE);
  let pem: string | undefined;
  try {
    pem = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`read the service account signing key ${file}: ${(err as Error).message}`, { cause: err });
  }
  if (pem === undefined) {
    pem = await generateSigningKeyPem();
    fs.mkdirSync(pkiDir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(file, pem, { mode: 0o600 });
  }
  return signingKeyFromPem(pem, file);
}
