// What the request handlers need, wired once by ApiServer.

import type { ObjectStore } from '../store/store.js';
import type { Logger } from '../system/logger.js';
import type { Clock } from '../system/clock.js';
import type { NodePaths } from '../node/paths.js';
import type { EventSink } from '../k8s/events.js';
import type { ImageService } from '../images/images.js';
import type { Runtime } from '../runtime/runtime.js';
import type { Pod } from '../k8s/types.js';
import type { PodAnatomy } from '../node/anatomy-types.js';
import type { DashboardSessions } from './auth/dashboard-sessions.js';
import type { Watch } from '../store/store.js';
import type { Authorizer } from './auth/types.js';
import type { RuleResolver } from './auth/authorizer.js';
import type { TokenIssuer } from '../serviceaccounts/issuer.js';
import type { ResourceMetricsSource } from '../metrics/rates.js';
import type { WatchLimiter } from './watch-limits.js';
import type { SharedEventLines } from './watch-lines.js';

import type { ServerVersions } from '../node/host-versions.js';
export interface ApiDeps {
  store: ObjectStore;
  logger: Logger;
  clock: Clock;
  nodeName: string;
  paths: NodePaths;
  events: EventSink;
  /** Records as the scheduler would (the Scheduled event of a pod bound at admission). */
  schedulerEvents: EventSink;
  images?: ImageService;
  /** Image load/import uploads: the largest body accepted, and the share of the disk they must leave free. */
  imageUpload?: { maxBytes: number; reservePercent: number };
  runtime?: Runtime;
  /** Background work (namespace finalization) registers store watches here; stop() ends them. */
  background: Set<Watch>;
  /** The authorizer the security stage uses; the review APIs answer with it. */
  authorizer?: Authorizer & RuleResolver;
  /** Issues service account tokens (serviceaccounts/token); without it that subresource answers 400. */
  serviceAccountTokens?: TokenIssuer;
  /** The sampled pod and node usage metrics.k8s.io serves (metrics-api.ts); unset: that API answers 503. */
  resourceMetrics?: ResourceMetricsSource;
  /** A pod's anatomy as the node holds it (node/anatomy.ts); unset: pods/anatomy answers 503. */
  anatomy?: (pod: Pod) => Promise<PodAnatomy>;
  /** Dashboard login tokens and sessions (auth/dashboard-sessions.ts); unset: the dashboard's login answers 503. */
  dashboard?: DashboardSessions;
  /** What the node runs (node/host-versions.ts), for `peapod version`; unset: /peapod/v1/version answers 503. */
  versions?: () => Promise<ServerVersions>;
  /** Bounds on open watches and the event lines they share (watch.ts); unset: unbounded, nothing shared. */
  watches?: { limiter: WatchLimiter; lines: SharedEventLines };
}
