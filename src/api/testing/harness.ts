// An in-process API for unit tests: ApiServer over an in-memory store, requests injected straight into
// its listener (light-my-request): no root, no socket, no TLS. Callers pick who they are with a bearer
// token from a fixed table: admin (system:masters), viewer (peapod:viewers), monitor (system:monitoring),
// nobody (no group).

import { inject, type InjectOptions, type Response } from 'light-my-request';
import { RESOURCES } from '../../k8s/registry.js';
import { nodePaths } from '../../node/paths.js';
import { SqliteStore } from '../../store/sqlite-store.js';
import { StoreEventSink } from '../../store/events.js';
import { ensureNamespaces } from '../../store/bootstrap.js';
import { ServiceAccountsController } from '../../serviceaccounts/controller.js';
import { serviceAccountTokens } from '../../serviceaccounts/service-accounts.js';
import { testSigningKey } from '../../serviceaccounts/test-fixtures.js';
import { FakeClock } from '../../system/clock.js';
import { silentLogger } from '../../system/logger.js';
import { buildSecurityStage } from '../auth/security.js';
import { GROUP_MASTERS, GROUP_MONITORING, GROUP_VIEWERS, type UserInfo } from '../auth/types.js';
import { ApiServer } from '../server.js';
import { createCa, issueCert } from '../auth/certs.js';
import { servingNames } from '../auth/pki.js';
import type { Runtime } from '../../runtime/runtime.js';
import type { ResourceMetricsSource } from '../../metrics/rates.js';
import type { ApiRequestRecorder } from '../../metrics/recorder.js';
import type { ApiDeps } from '../deps.js';

export const TOKENS = {
  admin: 'admin-token',
  viewer: 'viewer-token',
  monitor: 'monitor-token',
  nobody: 'nobody-token',
} as const;

const TOKEN_USERS = new Map<string, UserInfo>([
  [TOKENS.admin, { username: 'alice', uid: '1', groups: [GROUP_MASTERS] }],
  [TOKENS.viewer, { username: 'vera', uid: '2', groups: [GROUP_VIEWERS] }],
  [TOKENS.monitor, { username: 'prometheus', uid: '4', groups: [GROUP_MONITORING] }],
  [TOKENS.nobody, { username: 'nora', uid: '3', groups: [] }],
]);

export type Who = keyof typeof TOKENS | 'anonymous' | { token: string };

export interface ApiHarness {
  store: SqliteStore;
  request(who: Who, opts: InjectOptions): Promise<Response>;
  close(): void;
}

export interface TlsHarness {
  store: SqliteStore;
  /** https://127.0.0.1:<port> */
  url: string;
  /** The CA that signed the serving certificate. */
  caPem: string;
  /** The Authorization header of a caller. */
  auth(who: keyof typeof TOKENS): string;
  close(): Promise<void>;
}

/**
 * The API on a real TLS socket of 127.0.0.1 (for upgrades, which need one), with `runtime` behind the
 * streaming endpoints. Callers authenticate with the same bearer tokens.
 */
export async function startTlsHarness(runtime: Runtime, opts: HarnessOptions = {}): Promise<TlsHarness> {
  const { store, server } = harnessServer({ ...opts, runtime });
  const now = Date.now();
  const ca = await createCa('peapod-harness-ca', { now, validDays: 1 });
  const serving = await issueCert(ca, { kind: 'server', names: servingNames('localhost', []) }, { now, validDays: 1 });
  const { url } = await server.start('127.0.0.1:0', { certPem: serving.certPem, keyPem: serving.keyPem, clientCaPem: ca.certPem });
  return {
    store,
    url,
    caPem: ca.certPem,
    auth: (who) => `Bearer ${TOKENS[who]}`,
    async close() {
      await server.stop();
      store.close();
    },
  };
}

/** The in-memory store (namespaces made) and the ApiServer over it, with the token table. */
function harnessServer(opts: HarnessOptions & { runtime?: Runtime }): { store: SqliteStore; server: ApiServer } {
  const clock = new FakeClock();
  const logger = silentLogger();
  const store = new SqliteStore({ path: ':memory:', resources: RESOURCES, clock, logger });
  ensureNamespaces(store);
  // Every namespace's default ServiceAccount, as the daemon's controller keeps it (pod admission needs it).
  new ServiceAccountsController({ store, logger }).start();
  const saTokens = serviceAccountTokens({ store, key: testSigningKey(), now: () => clock.now() });
  const events = new StoreEventSink({ store, clock, logger, component: 'kubelet', host: 'node-1' });
  const server = new ApiServer({
    store,
    logger,
    clock,
    nodeName: 'node-1',
    paths: nodePaths('/nonexistent/peapod-harness'),
    events,
    security: buildSecurityStage({ tokens: TOKEN_USERS, serviceAccountTokens: saTokens.authenticate }),
    serviceAccountTokens: saTokens.issuer,
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
    ...(opts.runtime ? { runtime: opts.runtime } : {}),
    ...(opts.resourceMetrics ? { resourceMetrics: opts.resourceMetrics } : {}),
    ...(opts.requests ? { requests: opts.requests } : {}),
    ...(opts.watches ? { watches: opts.watches } : {}),
  });
  return { store, server };
}

export interface HarnessOptions {
  /** What GET /metrics renders (unset: 404, as without samplers). */
  metrics?: () => string;
  /** What metrics.k8s.io serves (unset: 503, as without a sampler). */
  resourceMetrics?: ResourceMetricsSource;
  /** Counts the admitted resource requests. */
  requests?: ApiRequestRecorder;
  /** Watch bounds and shared event lines (default: the server's own, with the default bounds). */
  watches?: ApiDeps['watches'];
}

export function startHarness(opts: HarnessOptions = {}): ApiHarness {
  const { store, server } = harnessServer(opts);
  return {
    store,
    async request(who, opts) {
      const token = who === 'anonymous' ? undefined : typeof who === 'object' ? who.token : TOKENS[who];
      const headers = { ...(opts.headers ?? {}), ...(token ? { authorization: `Bearer ${token}` } : {}) };
      return inject(server.listener, { ...opts, headers });
    },
    close() {
      void server.stop();
      store.close();
    },
  };
}
