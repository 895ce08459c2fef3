// Finding and reading the kubeconfig the CLI talks through: --kubeconfig, else --data-dir's kubeconfig,
// else $KUBECONFIG (its first file that exists), else the default data dir's: a flag given wins over the environment, as
// in kubectl. Only the current context's
// server, namespace and credentials are used.

import { existsSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { nodePaths } from '../node/paths.js';

export interface ClusterConfig {
  server: string;
  /** The context's name and its user's (for -v and `peapod version`). */
  context?: string;
  user?: string;
  namespace: string;
  token?: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  insecureSkipTlsVerify?: boolean;
}

export function kubeconfigPathFor(opts: { kubeconfig?: string; dataDir?: string }, env: NodeJS.ProcessEnv): string {
  return kubeconfigChoice(opts, env).path;
}

/** The kubeconfig a command uses and the rule that chose it (for -v and `peapod version`). */
export function kubeconfigChoice(opts: { kubeconfig?: string; dataDir?: string }, env: NodeJS.ProcessEnv): { path: string; from: string } {
  if (opts.kubeconfig) return { path: opts.kubeconfig, from: '--kubeconfig' };
  if (opts.dataDir) return { path: nodePaths(opts.dataDir).kubeconfigPath, from: `--data-dir ${opts.dataDir}` };
  // kubectl merges the list, missing files skipped; peapod reads one kubeconfig: the first that exists.
  const list = (env.KUBECONFIG ?? '').split(':').filter(Boolean);
  const fromEnv = list.find((f) => existsSync(f)) ?? list[0];
  if (fromEnv) return { path: fromEnv, from: '$KUBECONFIG' };
  return { path: nodePaths().kubeconfigPath, from: 'the default data dir' };
}

interface Named<T> {
  name: string;
  [k: string]: unknown;
  value?: T;
}

function pick<T>(list: unknown, name: string | undefined, field: string, what: string): T {
  const items = (Array.isArray(list) ? list : []) as Named<T>[];
  const found = items.find((x) => x.name === name);
  if (!found) throw new Error(`kubeconfig: ${what} "${name ?? ''}" not found`);
  return (found[field] ?? {}) as T;
}

const b64 = (s: unknown) => (typeof s === 'string' && s ? Buffer.from(s, 'base64') : undefined);

/** Parses kubeconfig YAML and resolves the current (or named) context. Pure. */
export function parseKubeconfig(text: string, contextName?: string): ClusterConfig {
  const doc = (parseYaml(text) ?? {}) as Record<string, unknown>;
  const ctxName = contextName ?? (doc['current-context'] as string | undefined);
  const ctx = pick<{ cluster?: string; user?: string; namespace?: string }>(doc.contexts, ctxName, 'context', 'context');
  const cluster = pick<Record<string, unknown>>(doc.clusters, ctx.cluster, 'cluster', 'cluster');
  const user = ctx.user ? pick<Record<string, unknown>>(doc.users, ctx.user, 'user', 'user') : {};
  if (typeof cluster.server !== 'string' || !cluster.server) throw new Error(`kubeconfig: cluster "${ctx.cluster}" has no server`);
  return {
    server: cluster.server.replace(/\/+$/, ''),
    context: ctxName ?? '',
    user: ctx.user ?? '',
    namespace: ctx.namespace || 'default',
    token: typeof user.token === 'string' ? user.token : undefined,
    ca: b64(cluster['certificate-authority-data']),
    cert: b64(user['client-certificate-data']),
    key: b64(user['client-key-data']),
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
  };
}
