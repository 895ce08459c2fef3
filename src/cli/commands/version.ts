// `peapod version [--client] [-o json|yaml]`: the client's version, the daemon it reached (server URL and
// the kubeconfig that named it), and what that daemon runs: peapod, the Kubernetes API it serves, and
// the host programs behind its pods (runc, conmon, catatonit, CNI plugins), Node.js, the OS and kernel.
// Against a Kubernetes API server that is not peapod, its /version.

import { stringify as toYaml } from 'yaml';
import { KUBE_YAML } from '../../k8s/yaml-schema.js';
import type { ServerVersions } from '../../node/host-versions.js';
import { PEAPOD_VERSION } from '../../version.js';
import { ApiError } from '../client.js';
import { CliError, type CliContext } from '../context.js';

export interface VersionOptions {
  client?: boolean;
  output?: string;
}

interface VersionReport {
  clientVersion: { peapod: string; node: string };
  server?: { url: string; kubeconfig: string; from: string };
  serverVersion?: ServerVersions | { kubernetes: string; peapod?: undefined; forbidden?: boolean };
}

/** The report as lines of text (pure). */
export function formatVersion(r: VersionReport): string {
  const lines = [`Client Version: peapod ${r.clientVersion.peapod} (Node.js ${r.clientVersion.node})`];
  if (r.server) lines.push(`Server: ${r.server.url} (kubeconfig ${r.server.kubeconfig}, from ${r.server.from})`);
  const s = r.serverVersion;
  if (s && s.peapod === undefined) lines.push(`Server Version: Kubernetes API ${s.kubernetes} (${s.forbidden ? 'what the node runs is shown to peapod:viewers and admins only' : 'not a peapod daemon'})`);
  else if (s) {
    lines.push(`Server Version: peapod ${s.peapod}, Kubernetes API ${s.kubernetes} (Node.js ${s.node})`);
    lines.push(`Runtime: runc ${s.runtime.runc}, conmon ${s.runtime.conmon}, catatonit ${s.runtime.catatonit}, CNI plugins ${s.runtime.cniPlugins}`);
    lines.push(`Host: ${s.os}, kernel ${s.kernel}`);
  }
  return lines.join('\n');
}

export async function runVersion(ctx: CliContext, o: VersionOptions): Promise<void> {
  const format = o.output ?? '';
  if (!['', 'json', 'yaml'].includes(format)) throw new CliError(`error: --output must be 'yaml' or 'json'`);
  const report: VersionReport = { clientVersion: { peapod: PEAPOD_VERSION, node: process.version } };
  let failure: unknown;
  if (!o.client) {
    try {
      const api = await ctx.api();
      const { path, from } = ctx.kubeconfig();
      report.server = { url: api.config.server, kubeconfig: path, from };
      try {
        report.serverVersion = await api.json<ServerVersions>('GET', '/peapod/v1/version');
      } catch (err) {
        // A Kubernetes API server that is not peapod has no /peapod/v1; a user without a role on the node
        // (only peapod:viewers and admins may see what it runs) gets the Kubernetes API's version alone.
        if (!(err instanceof ApiError) || (err.httpStatus !== 404 && err.httpStatus !== 403)) throw err;
        report.serverVersion = { kubernetes: (await api.json<{ gitVersion: string }>('GET', '/version')).gitVersion, ...(err.httpStatus === 403 ? { forbidden: true } : {}) };
      }
    } catch (err) {
      failure = err;
    }
  }
  if (format === 'json') ctx.out(JSON.stringify(report, null, 2));
  else if (format === 'yaml') ctx.out(toYaml(report, KUBE_YAML).trimEnd());
  else ctx.out(formatVersion(report));
  // As kubectl version: the client's version first, then why the server's is missing.
  if (failure) throw failure;
}
