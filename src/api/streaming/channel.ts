// The WebSocket channel protocols of exec, attach and port-forward (kube-api.md §8), pure: which
// subprotocol to answer, how a message names its channel, and the status that ends a command.
//
//   channel.k8s.io       v1: binary messages [channel, ...data]; errors as text on channel 3
//   v2.channel.k8s.io    as v1
//   v3.channel.k8s.io    + channel 4: terminal resize {"Width":w,"Height":h}
//   v4.channel.k8s.io    + channel 3 carries a JSON Status (the exit code kubectl exits with)
//   v5.channel.k8s.io    + channel 255: [255, c] closes the client's channel c (stdin's EOF)
//   base64.channel.k8s.io, v4.base64.channel.k8s.io: text messages, the channel an ASCII digit, data base64

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const ERROR = 3;
export const RESIZE = 4;
export const CLOSE = 255;

export interface ChannelProtocol {
  /** The name answered in Sec-WebSocket-Protocol ('' when the client offered none). */
  name: string;
  version: 1 | 2 | 3 | 4 | 5;
  base64: boolean;
}

const EXEC_PROTOCOLS: ChannelProtocol[] = [
  { name: 'v5.channel.k8s.io', version: 5, base64: false },
  { name: 'v4.channel.k8s.io', version: 4, base64: false },
  { name: 'v4.base64.channel.k8s.io', version: 4, base64: true },
  { name: 'v3.channel.k8s.io', version: 3, base64: false },
  { name: 'v2.channel.k8s.io', version: 2, base64: false },
  { name: 'channel.k8s.io', version: 1, base64: false },
  { name: 'base64.channel.k8s.io', version: 1, base64: true },
];

/** Port-forward over channels: v4 and v1 framing (client-node, Python). */
const PORT_FORWARD_PROTOCOLS = EXEC_PROTOCOLS.filter((p) => p.version === 4 || p.version === 1);

/** kubectl 1.31+: port-forward's SPDY bytes carried in binary messages. */
export const SPDY_TUNNEL_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';

/**
 * The first offered subprotocol we speak, as the apiserver picks (the client's order). No offer at all
 * means the original channel.k8s.io; offers that are all unknown get undefined (the upgrade is refused).
 */
export function negotiateChannelProtocol(offered: string[], kind: 'exec' | 'portforward'): ChannelProtocol | undefined {
  const table = kind === 'exec' ? EXEC_PROTOCOLS : PORT_FORWARD_PROTOCOLS;
  if (offered.length === 0) return { name: '', version: 1, base64: false };
  for (const o of offered) {
    const p = table.find((t) => t.name === o);
    if (p) return p;
  }
  return undefined;
}

/** Splits a Sec-WebSocket-Protocol header into its offers. */
export function offeredProtocols(header: string | string[] | undefined): string[] {
  const raw = Array.isArray(header) ? header.join(',') : (header ?? '');
  return raw.split(',').map((s) => s.trim()).filter(Boolean);
}

/**
 * One client message as channel and data; undefined for an empty or malformed one (ignored). Only the
 * base64 protocols read the channel as a digit: under the others a text message is bytes like a binary
 * one (the Python client sends its stdin strings as text frames that start with the byte 0).
 */
export function decodeMessage(msg: Buffer, proto: ChannelProtocol): { channel: number; data: Buffer } | undefined {
  if (msg.length === 0) return undefined;
  if (proto.base64) {
    const text = msg.toString('latin1');
    const channel = text.charCodeAt(0) - 48;
    if (channel < 0 || channel > 9) return undefined;
    return { channel, data: Buffer.from(text.slice(1), 'base64') };
  }
  return { channel: msg[0], data: msg.subarray(1) };
}

/**
 * A message for the client on `channel`: what ws.send gets, and whether it is binary. `data` may come in
 * parts (a batch of output chunks): they are copied once, straight into the message.
 */
export function encodeMessage(channel: number, data: Buffer | Buffer[], proto: ChannelProtocol): { payload: Buffer | string; binary: boolean } {
  const parts = Array.isArray(data) ? data : [data];
  if (proto.base64) return { payload: String.fromCharCode(48 + channel) + Buffer.concat(parts).toString('base64'), binary: false };
  const size = parts.reduce((n, p) => n + p.length, 0);
  const out = Buffer.allocUnsafe(size + 1);
  out[0] = channel;
  let at = 1;
  for (const p of parts) at += p.copy(out, at);
  return { payload: out, binary: true };
}

/** A resize message's size, or undefined when it is not one (pure). */
export function parseResize(data: Buffer): { width: number; height: number } | undefined {
  try {
    const v = JSON.parse(data.toString('utf8')) as { Width?: unknown; Height?: unknown };
    const width = Number(v.Width);
    const height = Number(v.Height);
    if (!Number.isFinite(width) || !Number.isFinite(height) || width < 0 || height < 0) return undefined;
    return { width, height };
  } catch {
    return undefined;
  }
}

/** How a command ended, as the error channel reports it. */
export type CommandOutcome = { exitCode: number } | { error: string; code?: number };

/** The v4+ status object (what kubectl turns into its own exit code). */
export function outcomeStatus(outcome: CommandOutcome, cmd: string[]): Record<string, unknown> {
  if ('error' in outcome) {
    const code = outcome.code ?? 500;
    return {
      metadata: {},
      status: 'Failure',
      message: outcome.error,
      reason: code === 500 ? 'InternalError' : code === 404 ? 'NotFound' : 'BadRequest',
      details: { causes: [{ message: outcome.error }] },
      code,
    };
  }
  if (outcome.exitCode === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${cmd.join(' ')}], exit code ${outcome.exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(outcome.exitCode) }] },
  };
}

/** What goes on the error channel: the JSON status for v4+, a plain message before (nothing on success). */
export function errorChannelPayload(outcome: CommandOutcome, cmd: string[], version: number): Buffer | undefined {
  if (version >= 4) return Buffer.from(JSON.stringify(outcomeStatus(outcome, cmd)));
  if ('error' in outcome) return Buffer.from(outcome.error);
  if (outcome.exitCode === 0) return undefined;
  return Buffer.from(String(outcomeStatus(outcome, cmd).message));
}
