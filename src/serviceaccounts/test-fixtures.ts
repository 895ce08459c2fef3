// Test support: an in-memory store with the initial namespaces, and a signing key made once per process.

import { generateKeyPairSync } from 'node:crypto';
import { RESOURCES } from '../k8s/registry.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { ensureNamespaces } from '../store/bootstrap.js';
import { FakeClock } from '../system/clock.js';
import { silentLogger } from '../system/logger.js';
import { keyIdOf } from './jwt.js';
import type { SigningKey } from './signing-key.js';

export function memoryStore(clock = new FakeClock()): SqliteStore {
  const store = new SqliteStore({ path: ':memory:', resources: RESOURCES, clock, logger: silentLogger() });
  ensureNamespaces(store);
  return store;
}

let key: SigningKey | undefined;

export function testSigningKey(): SigningKey {
  if (!key) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    key = { privateKey, publicKey, kid: keyIdOf(publicKey) };
  }
  return key;
}
