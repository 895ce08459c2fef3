// `image pull REF [--creds USER:PASS]`: POSTs to /peapod/v1/images/pull and draws the daemon's
// NDJSON progress stream the way docker does. On a terminal, one bar per layer redrawn in place
// (cli-progress's MultiBar); piped, one plain line per layer state change. Either way it ends
// with docker's "Digest:" and "Status:" lines, then the image id alone on the last line (as
// podman does), so `peapod image pull REF | tail -n1` is the id.

import { Writable } from 'node:stream';
import cliProgress from 'cli-progress';
import type { Image } from '../../images/images.js';
import type { LayerStatus, PullEvent } from '../../images/registry/types.js';
import { jsonLines } from '../client.js';
import { CliError, type CliContext, type CliIO } from '../context.js';
import { dockerSize } from '../printers/age.js';
import { splitRepoTag } from './image.js';

/** The Status the daemon's final error line carries (a Kubernetes Status). */
export interface PullFailure {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
}

/** One line of the pull stream: progress, then exactly one `pulled` or `error`. */
export type PullLine = PullEvent | { type: 'pulled'; image: Image } | { type: 'error'; status: PullFailure };

export interface RegistryCreds {
  username: string;
  password: string;
}

/** `--creds USER:PASS` as skopeo and podman take it: split at the first colon. Never echoes the value. */
export function parseCreds(value: string): RegistryCreds {
  const i = value.indexOf(':');
  if (i < 0) throw new CliError('error: --creds must be USERNAME:PASSWORD (no colon found)');
  const username = value.slice(0, i);
  if (!username) throw new CliError('error: --creds must be USERNAME:PASSWORD (the username is empty)');
  return { username, password: value.slice(i + 1) };
}

/** "sha256:a1b2c3d4e5f6…" → "a1b2c3d4e5f6", as docker names layers. */
export function shortDigest(digest: string): string {
  return digest.slice(digest.indexOf(':') + 1).slice(0, 12);
}

/** docker's "1.27: Pulling from library/nginx" for "docker.io/library/nginx:1.27". */
export function pullingFromLine(ref: string): string {
  const at = ref.indexOf('@');
  const [repo, tag] = at >= 0 ? [ref.slice(0, at), ref.slice(at + 1)] : splitRepoTag(ref);
  const slash = repo.indexOf('/');
  const domain = slash >= 0 ? repo.slice(0, slash) : '';
  const path = slash >= 0 && (domain.includes('.') || domain.includes(':') || domain === 'localhost') ? repo.slice(slash + 1) : repo;
  return `${tag === '<none>' ? 'latest' : tag}: Pulling from ${path}`;
}

function retryDelay(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${Number((ms / 1000).toFixed(1))}s`;
}

export function retryLine(e: Extract<PullEvent, { type: 'retry' }>): string {
  return `${e.digest ? `${shortDigest(e.digest)}: ` : ''}Retrying in ${retryDelay(e.delayMs)}: ${e.reason}`;
}

/** What a pull has shown so far: the reference, the manifest digest, the layers in order and each one's state. */
export class PullTally {
  ref?: string;
  manifestDigest?: string;
  private readonly order = new Set<string>();
  private readonly states = new Map<string, LayerStatus>();

  /**
   * Takes one event in; for a layer event, returns the layer's previous state (undefined: its
   * first state), or null when the state did not change.
   */
  add(e: PullEvent): LayerStatus | undefined | null {
    if (e.type === 'resolved') {
      this.ref = e.ref;
      this.manifestDigest = e.manifestDigest;
      for (const l of e.layers) this.order.add(l.digest);
      return null;
    }
    if (e.type !== 'layer') return null;
    this.order.add(e.digest);
    const prev = this.states.get(e.digest);
    if (prev === e.status) return null;
    this.states.set(e.digest, e.status);
    return prev;
  }

  /** Every layer was in the store already: docker's "Image is up to date". */
  upToDate(): boolean {
    return this.order.size > 0 && [...this.order].every((d) => this.states.get(d) === 'exists');
  }
}

/** Renders pull progress; fed events in stream order, stopped once at the end (success or not). */
export interface PullProgress {
  readonly tally: PullTally;
  event(e: PullEvent): void;
  stop(): void;
}

/**
 * Piped output: one line per layer state change, docker's words ("Pulling fs layer", "Waiting",
 * "Already exists", "Verifying Checksum", "Download complete", "Pull complete"); byte counts are
 * not printed.
 */
export class PlainPullProgress implements PullProgress {
  readonly tally = new PullTally();
  private readonly downloaded = new Set<string>();

  constructor(private readonly out: (line: string) => void) {}

  event(e: PullEvent): void {
    const prev = this.tally.add(e);
    if (e.type === 'retry') return this.out(retryLine(e));
    if (e.type === 'resolved') return this.out(pullingFromLine(e.ref));
    if (prev === null) return;
    const id = shortDigest(e.digest);
    const say = (text: string) => this.out(`${id}: ${text}`);
    if (e.status === 'exists') return say('Already exists');
    if (prev === undefined) say('Pulling fs layer');
    switch (e.status) {
      case 'waiting':
        if (prev !== undefined) say('Waiting');
        return;
      case 'downloading':
        return;
      case 'verifying':
        return say('Verifying Checksum');
      case 'extracting':
      case 'done':
        if (!this.downloaded.has(e.digest)) {
          this.downloaded.add(e.digest);
          say('Download complete');
        }
        if (e.status === 'done') say('Pull complete');
        return;
    }
  }

  stop(): void {}
}

const LABELS: Record<LayerStatus, string> = {
  waiting: 'Waiting',
  exists: 'Already exists',
  downloading: 'Downloading',
  verifying: 'Verifying Checksum',
  extracting: 'Extracting',
  done: 'Pull complete',
};

interface BarPayload {
  id: string;
  status: LayerStatus;
}

/** docker's bar: "[=====>      ]", all "=" when full. */
export function barText(current: number, total: number, width: number): string {
  const filled = total > 0 ? Math.min(width, Math.floor((current / total) * width)) : 0;
  const body = filled >= width ? '='.repeat(width) : filled > 0 ? '='.repeat(filled - 1) + '>' + ' '.repeat(width - filled) : ' '.repeat(width);
  return `[${body}]`;
}

/** One layer's line: "a1b2c3d4e5f6: Downloading [=====>     ]  12.3MB/45.6MB". */
export function layerLine(p: BarPayload, current: number, total: number, maxWidth: number): string {
  const head = `${p.id}: ${LABELS[p.status]}`;
  if (p.status !== 'downloading' && p.status !== 'extracting') return head;
  const sizes = total > 0 ? `${dockerSize(current)}/${dockerSize(total)}` : dockerSize(current);
  const width = Math.min(50, maxWidth - head.length - sizes.length - 6);
  return width < 10 ? `${head} ${sizes}` : `${head} ${barText(current, total, width)}  ${sizes}`;
}

/** Terminal output: a cli-progress MultiBar, one bar per layer, redrawn in place; retries logged above. */
export class TerminalPullProgress implements PullProgress {
  readonly tally = new PullTally();
  private multi?: cliProgress.MultiBar;
  private readonly bars = new Map<string, cliProgress.SingleBar>();
  private readonly stream: NodeJS.WritableStream;

  constructor(
    private readonly io: Pick<CliIO, 'stdout'>,
    columns: number,
    private readonly fps = 10,
  ) {
    const stream = new Writable({
      decodeStrings: false,
      write: (chunk: Buffer | string, _enc, cb) => {
        io.stdout(String(chunk));
        cb();
      },
    });
    this.stream = Object.assign(stream, { isTTY: true, columns });
  }

  private bar(digest: string, status: LayerStatus, current = 0, total = 0): cliProgress.SingleBar {
    let bar = this.bars.get(digest);
    if (bar) return bar;
    this.multi ??= new cliProgress.MultiBar({
      stream: this.stream,
      fps: this.fps,
      linewrap: false,
      hideCursor: null,
      gracefulExit: false,
      // A logged line (a retry) pushes the bars down a row: unchanged bars must be drawn again too.
      forceRedraw: true,
      format: (_opts, params, payload: BarPayload) => layerLine(payload, params.value, params.total, params.maxWidth),
    });
    bar = this.multi.create(total, current, { id: shortDigest(digest), status } satisfies BarPayload);
    this.bars.set(digest, bar);
    return bar;
  }

  event(e: PullEvent): void {
    this.tally.add(e);
    if (e.type === 'retry') {
      if (this.multi) this.multi.log(retryLine(e) + '\n');
      else this.io.stdout(retryLine(e) + '\n');
      return;
    }
    if (e.type === 'resolved') {
      if (!this.multi) this.io.stdout(pullingFromLine(e.ref) + '\n');
      for (const l of e.layers) this.bar(l.digest, 'waiting', 0, l.size);
      return;
    }
    const bar = this.bar(e.digest, e.status, e.current, e.total);
    bar.setTotal(e.total);
    bar.update(e.current, { status: e.status });
  }

  stop(): void {
    if (!this.multi) return;
    this.multi.update(); // flush logged lines, then the final frame
    this.multi.stop();
    this.multi = undefined;
  }
}

/** The progress renderer for this IO: bars on a terminal (not TERM=dumb), plain lines otherwise. */
export function pullProgressFor(io: CliIO): PullProgress {
  if (io.terminal && io.env.TERM !== 'dumb') return new TerminalPullProgress(io, io.terminal.size().width);
  return new PlainPullProgress((l) => io.stdout(l + '\n'));
}

/**
 * Draws a pull stream to completion and prints docker's summary and the image id. A final `error`
 * line (or a stream that ends without a result) prints "Error: <message>" on stderr and rejects
 * with exit code 1.
 */
export async function followPull(ctx: CliContext, lines: AsyncIterable<PullLine>, progress: PullProgress, requested: string): Promise<Image> {
  const { tally } = progress;
  let result: Image | undefined;
  let failure: string | undefined;
  try {
    for await (const line of lines) {
      if (line.type === 'pulled') result = line.image;
      else if (line.type === 'error') failure = line.status?.message || line.status?.reason || 'the pull failed';
      else progress.event(line);
      if (result || failure) break;
    }
  } finally {
    progress.stop();
  }
  if (!result) {
    ctx.err(`Error: ${failure ?? 'the daemon ended the pull stream without a result'}`);
    throw new CliError('', 1);
  }
  const ref = tally.ref ?? requested;
  const digest = tally.manifestDigest ?? result.repoDigests[0]?.slice(result.repoDigests[0].indexOf('@') + 1);
  if (digest) ctx.out(`Digest: ${digest}`);
  ctx.out(`Status: ${tally.upToDate() ? 'Image is up to date for' : 'Downloaded newer image for'} ${ref}`);
  ctx.out(result.id);
  return result;
}

export async function runImagePull(ctx: CliContext, ref: string, opts: { creds?: string }): Promise<void> {
  const creds = opts.creds !== undefined ? parseCreds(opts.creds) : undefined;
  const api = await ctx.api();
  const res = await api.stream('POST', '/peapod/v1/images/pull', {
    body: { ref, ...(creds ? { username: creds.username, password: creds.password } : {}) },
    accept: 'application/x-ndjson, application/json',
  });
  await followPull(ctx, jsonLines<PullLine>(res), pullProgressFor(ctx.io), ref);
}
