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
import { FakeClock } from '../../system/clock.js';
import { silentLogger } from '../../system/logger.js';
import { buildSecurityStage } from '../auth/security.js';
import { GROUP_MASTERS, GROUP_MONITORING, GROUP_VIEWERS, type UserInfo } from '../auth/types.js';
import { ApiServer } from '../server.js';

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

/** `metrics`: what GET /metrics renders (unset: 404, as without samplers). */
export function startHarness(opts: { metrics?: () => string } = {}): ApiHarness {
  const clock = new FakeClock();
  const logger = silentLogger();
  const store = new SqliteStore({ path: ':memory:', resources: RESOURCES, clock, logger });
  ensureNamespaces(store);
  const events = new StoreEventSink({ store, clock, logger, component: 'kubelet', host: 'node-1' });
  const server = new ApiServer({
    store,
    logger,
    clock,
    nodeName: 'node-1',
    paths: nodePaths('/nonexistent/peapod-harness'),
    events,
    security: buildSecurityStage({ tokens: TOKEN_USERS }),
    metrics: opts.metrics,
  });
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
