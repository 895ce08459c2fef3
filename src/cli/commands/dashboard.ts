// `peapod dashboard [--open]`: asks the daemon, with the kubeconfig's own credentials, for a one-time login
// link to its web page (/ui/ on the API's port) and prints it. The link works once, for five minutes; the
// session it starts has the kubeconfig user's rights, no more. --open also hands it to the desktop's
// browser, through a private file (mode 0600, removed after the browser read it): the link is never put
// on a command line, where every user of the host could read it in /proc.

import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CliError, type CliContext } from '../context.js';

export interface DashboardOptions {
  open?: boolean;
}

interface DashboardLogin {
  kind?: string;
  token?: string;
  path?: string;
  expiresAt?: string;
}

/** How long --open keeps the redirect file for the browser to read it. */
const OPEN_FILE_MS = 15_000;

/** A page that sends the browser on to the link (the link never reaches a command line). */
export function redirectPage(link: string): string {
  const attr = link.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return `<!doctype html><meta charset="utf-8"><meta name="referrer" content="no-referrer"><meta http-equiv="refresh" content="0;url=${attr}"><title>peapod dashboard</title><p>Opening the peapod dashboard…</p>\n`;
}

export async function runDashboard(ctx: CliContext, opts: DashboardOptions = {}): Promise<void> {
  const api = await ctx.api();
  const login = await api.json<DashboardLogin>('POST', '/peapod/v1/dashboard/login');
  if (login?.kind !== 'DashboardLogin' || !login.path || !login.token) {
    throw new CliError('error: the server did not answer with a dashboard login: is the daemon older than this CLI?');
  }
  const link = `${api.config.server}${login.path}`;
  const until = login.expiresAt ? new Date(login.expiresAt).toLocaleTimeString() : 'five minutes from now';
  ctx.out(`Open this link in a browser on this machine (it logs in once, until ${until}):\n\n  ${link}\n`);
  ctx.out('\nThe browser will warn about the certificate: the daemon signs it with its own CA (the data dir\'s pki/ca.crt; trust that CA to silence the warning).');
  if (!opts.open) return;
  const env = ctx.io.env;
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) {
    ctx.err('peapod dashboard --open: no desktop session here (neither DISPLAY nor WAYLAND_DISPLAY is set): open the link above yourself');
    return;
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'peapod-dashboard-'));
  const file = path.join(dir, 'open.html');
  try {
    await writeFile(file, redirectPage(link), { mode: 0o600 });
    const opened = await new Promise<boolean>((resolve) => {
      const child = spawn('xdg-open', [file], { stdio: 'ignore', env });
      child.once('error', () => resolve(false));
      child.once('exit', (code) => resolve(code === 0));
    });
    if (!opened) {
      ctx.err('peapod dashboard --open: xdg-open could not open a browser: open the link above yourself');
      return;
    }
    await new Promise((r) => setTimeout(r, OPEN_FILE_MS));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
