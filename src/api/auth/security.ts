// Builds the security stage from its parts: the token file, peapod's policy (authorizer.ts), the
// apiserver's request attributes (request-info.ts) and its 403 wording (forbidden.ts).

import fs from 'node:fs';
import { parseTokenFile } from './authn.js';
import { RuleAuthorizer } from './authorizer.js';
import { forbiddenError } from './forbidden.js';
import { requestAttributes } from './request-info.js';
import { SecurityStage, type SecurityStageOptions } from './stage.js';
import type { UserInfo } from './types.js';
import { DashboardSessions } from './dashboard-sessions.js';

export function buildSecurityStage(
  opts: { tokens?: ReadonlyMap<string, UserInfo>; serviceAccountTokens?: SecurityStageOptions['serviceAccountTokens']; peerOf?: SecurityStageOptions['peerOf']; now?: () => number } = {},
): SecurityStage {
  return new SecurityStage({
    tokens: opts.tokens ?? new Map(),
    serviceAccountTokens: opts.serviceAccountTokens,
    authorizer: new RuleAuthorizer(),
    attributes: requestAttributes,
    forbidden: forbiddenError,
    peerOf: opts.peerOf,
    now: opts.now ?? Date.now,
    sessions: new DashboardSessions(opts.now ?? Date.now),
  });
}

/** Reads --token-auth-file; a malformed file stops the daemon with the line named. */
export function loadTokenFile(file: string): Map<string, UserInfo> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`read the token file: ${(err as Error).message}`);
  }
  return parseTokenFile(text, file);
}
