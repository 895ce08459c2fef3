// `exec [-i] [-t] POD [-c C] -- CMD`, `attach`, `debug` and `port-forward`, with kubectl's habits: the
// WebSocket channel protocols of the API (v5 for exec and attach, v4 channels for port-forward), the exit
// code of the command as the CLI's own, the terminal raw with its size sent along.

import net from 'node:net';
import WebSocket from 'ws';
import type { Pod } from '../../k8s/types.js';
import { CliError, type CliContext } from '../context.js';
import type { ClusterConfig } from '../kubeconfig.js';
import { findResource, resourcePath } from '../resources.js';
import { chooseContainer, containerNames } from './logs.js';

export interface ExecOptions {
  container?: string;
  stdin?: boolean;
  tty?: boolean;
}

/** Opens an upgraded WebSocket to the API (the kubeconfig's CA and credentials); rejects with the Status message when refused. */
export function openStream(config: ClusterConfig, path: string, query: URLSearchParams, protocol: string): Promise<WebSocket> {
  const url = `${config.server.replace(/^http/, 'ws')}${path}?${query.toString()}`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, [protocol], {
      ca: config.ca,
      cert: config.cert,
      key: config.key,
      rejectUnauthorized: !config.insecureSkipTlsVerify,
      headers: config.token ? { Authorization: `Bearer ${config.token}` } : {},
      perMessageDeflate: false,
    });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (b: Buffer) => (body += b.toString()));
      res.on('end', () => {
        let message = body.trim() || `HTTP ${res.statusCode}`;
        try {
          message = (JSON.parse(body) as { message?: string }).message ?? message;
        } catch {
          /* not a Status */
        }
        reject(new CliError(`error: unable to upgrade connection: ${message}`));
      });
    });
    ws.once('error', (err) => reject(new CliError(`error: ${err.message}`)));
  });
}

/** The exit code a finished command's status gives (pure): 0, its code, or 1 with the message to print. */
export function exitFromStatus(text: string): { code: number; message?: string } {
  if (!text) return { code: 0 };
  try {
    const st = JSON.parse(text) as { status?: string; reason?: string; message?: string; details?: { causes?: { reason?: string; message?: string }[] } };
    if (st.status === 'Success') return { code: 0 };
    if (st.reason === 'NonZeroExitCode') {
      const n = Number(st.details?.causes?.find((c) => c.reason === 'ExitCode')?.message);
      if (Number.isInteger(n)) return { code: n, message: `command terminated with exit code ${n}` };
    }
    return { code: 1, message: `error: ${st.message ?? text}` };
  } catch {
    return { code: 1, message: `error: ${text}` };
  }
}

/**
 * Joins the user's stdin, stdout and terminal to an exec or attach stream until it ends; resolves with
 * the exit code. Channels: 0 stdin, 1 stdout, 2 stderr, 3 status, 4 resize, 255 close.
 */
function relay(ctx: CliContext, ws: WebSocket, opts: { stdin: boolean; tty: boolean }): Promise<number> {
  const io = ctx.io;
  const send = (channel: number, data: Buffer) => {
    if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([channel]), data]));
  };
  const term = opts.tty ? io.terminal : undefined;
  let stopResize = () => {};
  if (term) {
    const resize = () => send(4, Buffer.from(JSON.stringify({ Width: term.size().width, Height: term.size().height })));
    resize();
    stopResize = term.onResize(resize);
    term.setRawMode(true);
  }
  const onData = (b: Buffer | string) => send(0, Buffer.isBuffer(b) ? b : Buffer.from(b));
  const onEnd = () => send(255, Buffer.from([0]));
  if (opts.stdin) {
    io.stdin.on('data', onData);
    io.stdin.once('end', onEnd);
    io.stdin.resume?.();
  }
  let status = '';
  ws.on('message', (raw: Buffer) => {
    const data = raw.subarray(1);
    if (raw[0] === 1) (io.stdoutBytes ?? ((b: Buffer) => io.stdout(b.toString())))(data);
    else if (raw[0] === 2) (io.stderrBytes ?? ((b: Buffer) => io.stderr(b.toString())))(data);
    else if (raw[0] === 3) status += data.toString();
  });
  return new Promise((resolve) => {
    ws.once('close', () => {
      stopResize();
      term?.setRawMode(false);
      io.stdin.off('data', onData);
      io.stdin.off('end', onEnd);
      io.stdin.pause?.();
      const r = exitFromStatus(status);
      if (r.message) ctx.err(r.message);
      resolve(r.code);
    });
  });
}

async function podAndContainer(ctx: CliContext, podName: string, flag: string | undefined): Promise<{ pod: Pod; container: string; ns: string }> {
  const api = await ctx.api();
  const ns = await ctx.namespace();
  const pod = await api.json<Pod>('GET', resourcePath(findResource('pods'), ns, podName));
  const { name, notice } = chooseContainer(pod, flag);
  if (notice) ctx.err(notice);
  return { pod, container: name, ns };
}

/** -t needs a terminal: without one, kubectl says so and goes on without. */
function wantTty(ctx: CliContext, tty: boolean | undefined): boolean {
  if (!tty) return false;
  if (ctx.io.terminal) return true;
  ctx.err('Unable to use a TTY - input is not a terminal or the right kind of file');
  return false;
}

export async function runExec(ctx: CliContext, podName: string, cmd: string[], opts: ExecOptions): Promise<number> {
  if (cmd.length === 0) throw new CliError('error: you must specify at least one command for the container');
  const { container, ns } = await podAndContainer(ctx, podName, opts.container);
  const tty = wantTty(ctx, opts.tty);
  const q = new URLSearchParams({ container, stdout: 'true', stderr: String(!tty), stdin: String(!!opts.stdin), tty: String(tty) });
  for (const c of cmd) q.append('command', c);
  const ws = await openStream((await ctx.api()).config, `${resourcePath(findResource('pods'), ns, podName)}/exec`, q, 'v5.channel.k8s.io');
  return relay(ctx, ws, { stdin: !!opts.stdin, tty });
}

export async function runAttach(ctx: CliContext, podName: string, opts: ExecOptions): Promise<number> {
  const { container, ns } = await podAndContainer(ctx, podName, opts.container);
  const tty = wantTty(ctx, opts.tty);
  const q = new URLSearchParams({ container, stdout: 'true', stderr: String(!tty), stdin: String(!!opts.stdin), tty: String(tty) });
  const ws = await openStream((await ctx.api()).config, `${resourcePath(findResource('pods'), ns, podName)}/attach`, q, 'v5.channel.k8s.io');
  return relay(ctx, ws, { stdin: !!opts.stdin, tty });
}

export interface DebugOptions extends ExecOptions {
  image: string;
  target?: string;
}

/**
 * kubectl debug's ephemeral container: added through pods/ephemeralcontainers (a strategic patch), then,
 * with -i, attached once it runs.
 */
export async function runDebug(ctx: CliContext, podName: string, cmd: string[], opts: DebugOptions): Promise<number> {
  const api = await ctx.api();
  const ns = await ctx.namespace();
  const path = resourcePath(findResource('pods'), ns, podName);
  const pod = await api.json<Pod>('GET', path);
  const taken = new Set(containerNames(pod));
  let name = opts.container;
  while (!name || (!opts.container && taken.has(name))) name = `debugger-${Math.random().toString(36).slice(2, 7)}`;
  if (!opts.container) ctx.err(`Defaulting debug container name to ${name}.`);
  const container = {
    name,
    image: opts.image,
    ...(cmd.length ? { command: cmd } : {}),
    ...(opts.target ? { targetContainerName: opts.target } : {}),
    stdin: !!opts.stdin,
    tty: !!opts.tty,
    terminationMessagePolicy: 'File',
  };
  await api.json('PATCH', `${path}/ephemeralcontainers`, { body: { spec: { ephemeralContainers: [container] } }, contentType: 'application/strategic-merge-patch+json' });
  if (!opts.stdin) return 0;
  const deadline = ctx.io.clock.now() + 120_000;
  for (;;) {
    const cur = await api.json<Pod>('GET', path);
    const st = cur.status?.ephemeralContainerStatuses?.find((s) => s.name === name);
    if (st?.state?.running) break;
    if (st?.state?.terminated) return st.state.terminated.exitCode ?? 0;
    if (st?.state?.waiting?.reason && !['ContainerCreating', 'PodInitializing'].includes(st.state.waiting.reason)) {
      throw new CliError(`error: ephemeral container ${name} is waiting: ${st.state.waiting.reason}${st.state.waiting.message ? `: ${st.state.waiting.message}` : ''}`);
    }
    if (ctx.io.clock.now() > deadline) throw new CliError(`error: timed out waiting for ephemeral container ${name} to start`);
    await ctx.io.clock.sleep(250);
  }
  return runAttach(ctx, podName, { container: name, stdin: true, tty: opts.tty });
}

/** `LOCAL:REMOTE` or `PORT` (both the same) (pure). */
export function parsePortPair(spec: string): { local: number; remote: number } {
  const parts = spec.split(':');
  const [localText, remoteText] = parts.length === 1 ? [spec, spec] : parts.length === 2 ? [parts[0] || '0', parts[1]] : ['', ''];
  const local = /^\d+$/.test(localText) ? Number(localText) : NaN;
  const remote = /^\d+$/.test(remoteText) ? Number(remoteText) : NaN;
  if (!(local >= 0 && local <= 65535 && remote >= 1 && remote <= 65535)) throw new CliError(`error: invalid port specification ${JSON.stringify(spec)}`);
  return { local, remote };
}

/**
 * Listens on 127.0.0.1 for each LOCAL:REMOTE; every connection gets its own port-forward stream (v4
 * channels: data on 0, errors on 1, each opened by the port). Runs until interrupted.
 */
export async function runPortForward(ctx: CliContext, target: string, specs: string[], signal?: AbortSignal): Promise<number> {
  const podName = target.replace(/^pods?\//, '');
  const api = await ctx.api();
  const ns = await ctx.namespace();
  const path = `${resourcePath(findResource('pods'), ns, podName)}/portforward`;
  const pod = await api.json<Pod>('GET', resourcePath(findResource('pods'), ns, podName));
  if (pod.status?.phase !== 'Running') throw new CliError(`error: unable to forward port because pod is not running. Current status=${pod.status?.phase ?? 'Unknown'}`);
  const servers = await Promise.all(
    specs.map(parsePortPair).map(
      ({ local, remote }) =>
        new Promise<net.Server>((resolve, reject) => {
          const server = net.createServer((sock) => void forward(ctx, api.config, path, remote, sock, local));
          server.once('error', (err) => reject(new CliError(`error: unable to listen on port ${local}: ${err.message}`)));
          server.listen(local, '127.0.0.1', () => {
            const port = (server.address() as net.AddressInfo).port;
            ctx.out(`Forwarding from 127.0.0.1:${port} -> ${remote}`);
            resolve(server);
          });
        }),
    ),
  );
  await new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    signal?.addEventListener('abort', () => resolve(), { once: true });
    process.once('SIGINT', () => resolve());
  });
  for (const s of servers) s.close();
  return 0;
}

async function forward(ctx: CliContext, config: ClusterConfig, path: string, port: number, sock: net.Socket, local: number): Promise<void> {
  ctx.out(`Handling connection for ${local}`);
  let ws: WebSocket;
  try {
    ws = await openStream(config, path, new URLSearchParams({ ports: String(port) }), 'v4.channel.k8s.io');
  } catch (err) {
    ctx.err(String((err as Error).message));
    sock.destroy();
    return;
  }
  const seen = new Set<number>();
  ws.on('message', (raw: Buffer) => {
    const ch = raw[0];
    let data = raw.subarray(1);
    if (!seen.has(ch)) {
      seen.add(ch);
      data = data.subarray(2); // each channel opens with the port
    }
    if (!data.length) return;
    if (ch === 0) sock.write(data);
    else if (ch === 1) ctx.err(`E port-forward ${local} -> ${port}: ${data.toString()}`);
  });
  sock.on('data', (b: Buffer) => ws.readyState === ws.OPEN && ws.send(Buffer.concat([Buffer.from([0]), b])));
  sock.on('close', () => ws.close());
  sock.on('error', () => ws.close());
  ws.on('close', () => sock.destroy());
  ws.on('error', () => sock.destroy());
}
