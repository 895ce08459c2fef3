// GET pods/<p>/log: reads the container's CRI log file (see log-target.ts for which one) and streams
// it as text/plain. With follow, keeps reading as the file grows (fs.watch plus a polling fallback)
// until the instance is no longer running and the file is drained, or the client goes away.

import { watch as fsWatch, type FSWatcher } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import path from 'node:path';
import { BadRequestError, NotFoundError } from '../errors.js';
import type { Pod } from '../k8s/types.js';
import { containerLogPath, podLogDirectory } from '../node/paths.js';
import { runtimeUidOf } from '../node/static-pods/manifest.js';
import type { ApiDeps } from './deps.js';
import { cacheControl, queryBool, queryInt, type RequestContext } from './http.js';
import type { ResourceRoute } from './route.js';
import { CriLogFormatter, parseCriLine, splitLines, tailEntries, type CriEntry } from '../runtime/cri-log.js';
import { findContainerStatus, selectContainer, selectLogInstance, type LogInstance } from './log-target.js';

const POLL_MS = 1000;
const READ_CHUNK = 64 * 1024;

interface LogQuery {
  container?: string;
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  tailLines?: number;
  limitBytes?: number;
  sinceMs?: number;
}

function parseLogQuery(q: URLSearchParams, now: number): LogQuery {
  const out: LogQuery = {
    container: q.get('container') || undefined,
    follow: queryBool(q, 'follow'),
    previous: queryBool(q, 'previous'),
    timestamps: queryBool(q, 'timestamps'),
    tailLines: queryInt(q, 'tailLines'),
    limitBytes: queryInt(q, 'limitBytes'),
  };
  const sinceSeconds = queryInt(q, 'sinceSeconds');
  const sinceTime = q.get('sinceTime');
  if (sinceSeconds !== undefined && sinceTime) throw new BadRequestError('at most one of sinceTime or sinceSeconds may be specified');
  if (sinceSeconds !== undefined) {
    if (sinceSeconds < 1) throw new BadRequestError('sinceSeconds: Invalid value: must be greater than 0');
    out.sinceMs = now - sinceSeconds * 1000;
  } else if (sinceTime) {
    const t = Date.parse(sinceTime);
    if (Number.isNaN(t)) throw new BadRequestError(`invalid sinceTime: ${JSON.stringify(sinceTime)}`);
    out.sinceMs = t;
  }
  if (out.limitBytes !== undefined && out.limitBytes < 1) throw new BadRequestError('limitBytes: Invalid value: must be greater than 0');
  if (out.tailLines !== undefined && out.tailLines < 0) throw new BadRequestError('tailLines: Invalid value: must be greater than or equal to 0');
  return out;
}

async function listAttempts(dir: string): Promise<number[]> {
  try {
    return (await readdir(dir)).map((f) => /^(\d+)\.log$/.exec(f)).filter((m): m is RegExpExecArray => !!m).map((m) => Number(m[1]));
  } catch {
    return [];
  }
}

export async function handleLogs(deps: ApiDeps, ctx: RequestContext, route: ResourceRoute): Promise<void> {
  const pod = deps.store.tryGet<Pod>('pods', route.namespace, route.name!);
  if (!pod) throw NotFoundError.of({ resource: 'pods', name: route.name });
  const q = parseLogQuery(ctx.query, deps.clock.now());
  const container = selectContainer(pod, q.container);
  const dir = path.join(podLogDirectory(deps.paths, pod.metadata.namespace!, pod.metadata.name!, runtimeUidOf(pod)), container);
  const instance = selectLogInstance(pod, container, await listAttempts(dir), q.previous);
  const file = containerLogPath(path.dirname(dir), container, instance.attempt);
  const stream = new LogStream(deps, ctx, q, file);
  await stream.run(q.follow && instance.running ? () => stillRunning(deps, pod, container, instance) : undefined);
}

function stillRunning(deps: ApiDeps, pod: Pod, container: string, instance: LogInstance): boolean {
  const cur = deps.store.tryGet<Pod>('pods', pod.metadata.namespace, pod.metadata.name!);
  if (!cur || cur.metadata.uid !== pod.metadata.uid) return false;
  const cs = findContainerStatus(cur, container);
  if (!cs?.state?.running) return false;
  if ((cs.restartCount ?? 0) !== instance.attempt) return false;
  return !instance.containerID || cs.containerID === instance.containerID;
}

/** One log response: reads, formats and writes, honouring tail/limit/since and follow. */
class LogStream {
  private readonly formatter: CriLogFormatter;
  private written = 0;
  private done = false;
  private rest: Buffer = Buffer.alloc(0);
  private offset = 0;

  constructor(
    private readonly deps: ApiDeps,
    private readonly ctx: RequestContext,
    private readonly q: LogQuery,
    private readonly file: string,
  ) {
    this.formatter = new CriLogFormatter({ timestamps: q.timestamps, sinceMs: q.sinceMs });
  }

  async run(isRunning: (() => boolean) | undefined): Promise<void> {
    const { res } = this.ctx;
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': cacheControl(this.ctx) });
    if (isRunning) res.flushHeaders();
    const initial = await this.readNew();
    this.emit(this.q.tailLines !== undefined ? tailEntries(initial, this.q.tailLines) : initial);
    if (isRunning) await this.follow(isRunning);
    if (!res.writableEnded) res.end();
  }

  private async follow(isRunning: () => boolean): Promise<void> {
    const signal = this.ctx.signal;
    let watcher: FSWatcher | undefined;
    let wake: (() => void) | undefined;
    try {
      watcher = fsWatch(this.file, () => wake?.());
      watcher.on('error', () => undefined);
    } catch {
      watcher = undefined; // polling only
    }
    try {
      while (!this.done && !signal.aborted) {
        const running = isRunning();
        this.emit(await this.readNew());
        if (!running) {
          this.emit(await this.readNew());
          return;
        }
        const ac = new AbortController();
        const onAbort = () => ac.abort();
        signal.addEventListener('abort', onAbort, { once: true });
        wake = () => ac.abort();
        await this.deps.clock.sleep(POLL_MS, ac.signal).catch(() => undefined);
        signal.removeEventListener('abort', onAbort);
        wake = undefined;
      }
    } finally {
      watcher?.close();
    }
  }

  /** Reads what was appended since the last call; returns the complete entries. */
  private async readNew(): Promise<CriEntry[]> {
    let fh;
    try {
      fh = await open(this.file, 'r');
    } catch {
      return [];
    }
    const chunks: Buffer[] = [this.rest];
    try {
      const st = await fh.stat();
      if (st.size < this.offset) this.offset = 0; // truncated by --log-size-max: start over
      for (;;) {
        const buf = Buffer.alloc(READ_CHUNK);
        const { bytesRead } = await fh.read(buf, 0, READ_CHUNK, this.offset);
        if (bytesRead === 0) break;
        this.offset += bytesRead;
        chunks.push(buf.subarray(0, bytesRead));
      }
    } finally {
      await fh.close();
    }
    const { lines, rest } = splitLines(Buffer.concat(chunks));
    this.rest = Buffer.from(rest);
    return lines.map((l) => parseCriLine(l)).filter((e): e is CriEntry => !!e);
  }

  private emit(entries: CriEntry[]): void {
    const res = this.ctx.res;
    for (const e of entries) {
      if (this.done) return;
      let out = this.formatter.format(e);
      if (out.length === 0) continue;
      if (this.q.limitBytes !== undefined && this.written + out.length >= this.q.limitBytes) {
        out = out.subarray(0, this.q.limitBytes - this.written);
        this.done = true;
      }
      this.written += out.length;
      res.write(out);
    }
  }
}
