// The ImagePuller: a reference → a stored image, through the registry session (client.ts) and into the
// same catalog and layer store that archive loads use.
//
//   1. resolve the manifest (an index → the node's platform entry); the repo digest is the digest of what
//      the tag points to (the index for a multi-platform image), as docker and containerd record it;
//   2. the config blob (small, in memory) gives the diff ids; layers already unpacked are skipped;
//   3. missing layer blobs download at once (a few at a time, one download per blob however many pulls
//      want it), each into tmp/ and renamed into blobs/ once verified;
//   4. layers unpack bottom first as soon as their blob is there, while later blobs still download;
//   5. the catalog records the image (tags move to it, the repo digest is added).
// Credentials are tried in order; another is tried only after an auth failure. A failed or canceled pull
// leaves no partial blob or layer: temp files are removed, and tmp/ is emptied at startup anyway.

import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import fs from 'node:fs/promises';
import path from 'node:path';
import { BadRequestError, PeapodError } from '../../errors.js';
import type { Clock } from '../../system/clock.js';
import type { Logger } from '../../system/logger.js';
import { exists, putBlobBytes, putBlobFile } from '../blobs.js';
import type { Catalog } from '../catalog.js';
import type { Image } from '../images.js';
import type { LayerStore } from '../layer-store.js';
import { manifestKind, parseImageManifest, parseIndex, type Platform } from '../manifest.js';
import { chainIds } from '../chain-id.js';
import { configDiffIds } from '../metadata.js';
import { normalizeReference, parseReference, type ParsedReference } from '../reference.js';
import type { StoreLayout } from '../store-layout.js';
import type { RegistrySession } from './client.js';
import { choosePlatform, formatPlatform } from './platform.js';
import { RegistryError } from './transport.js';
import type { ImagePuller, PullOptions, RegistryCredential } from './types.js';

export interface PullerDeps {
  layout: StoreLayout;
  layers: LayerStore;
  catalog: Catalog;
  logger: Logger;
  clock: Clock;
  /** Opens a session with one repository; `onRetry` reports retries to the pull's progress. */
  openSession(domain: string, repoPath: string, credential: RegistryCredential | undefined, onRetry: (e: { digest?: string; attempt: number; delayMs: number; reason: string }) => void): RegistrySession;
  platform: Platform;
  /** Blob downloads at once, over all pulls. */
  concurrency: number;
}

/**
 * A pull failure, with the kubelet-facing message ("failed to pull and unpack image …"). On the API: 404
 * for an unknown image, 400 for one we cannot use, 503 for the rest (auth, network, registry errors).
 */
export class PullError extends PeapodError {
  readonly kind: RegistryError['kind'] | 'unknown';
  constructor(message: string, kind: PullError['kind'], cause?: unknown) {
    super(kind === 'not-found' ? 'NotFound' : kind === 'invalid' ? 'BadRequest' : 'Unavailable', message, cause !== undefined ? { cause } : undefined);
    this.name = 'PullError';
    this.kind = kind;
  }
}

interface SharedDownload {
  /** Registry, repository and credential it downloads with (sessionKey). */
  key: string;
  promise: Promise<void>;
  controller: AbortController;
  users: number;
  listeners: Set<(n: number) => void>;
}

const PROGRESS_EVERY_MS = 100;

export class RegistryPuller implements ImagePuller {
  private readonly downloads = new Map<string, SharedDownload>();
  private active = 0;
  private readonly queue: (() => void)[] = [];

  constructor(private readonly deps: PullerDeps) {}

  async pull(ref: string, opts: PullOptions = {}): Promise<Image> {
    const parsed = parseReference(ref); // InvalidImageNameError as is
    const display = normalizeReference(ref);
    // As the kubelet: each matching credential in turn, whatever made the last one fail; all the errors
    // are reported together when none works.
    const creds: (RegistryCredential | undefined)[] = opts.credentials?.length ? opts.credentials : [undefined];
    const errors: Error[] = [];
    for (let i = 0; i < creds.length; i++) {
      try {
        return await this.pullWith(parsed, display, creds[i], opts);
      } catch (err) {
        const e = pullError(display, err);
        if (opts.signal?.aborted || (err instanceof RegistryError && err.kind === 'canceled')) throw e;
        errors.push(e);
        if (i + 1 < creds.length) this.deps.logger.debug({ image: display, source: creds[i]?.source, err: e.message }, 'pull failed with these credentials; trying the next ones');
      }
    }
    if (errors.length === 1) throw errors[0]!;
    const kind = errors.every((e) => e instanceof PullError && e.kind === (errors[0] as PullError).kind) ? (errors[0] as PullError).kind : 'unknown';
    throw new PullError(`[${errors.map((e) => e.message).join(', ')}]`, kind);
  }

  private async pullWith(parsed: ParsedReference, display: string, cred: RegistryCredential | undefined, opts: PullOptions): Promise<Image> {
    const { deps } = this;
    const progress = opts.progress ?? (() => undefined);
    const pullAbort = new AbortController();
    setMaxListeners(0, pullAbort.signal); // one listener per layer download
    const onOuterAbort = () => pullAbort.abort();
    opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
    if (opts.signal?.aborted) pullAbort.abort();
    const signal = pullAbort.signal;
    const session = deps.openSession(parsed.domain, parsed.path, cred, (e) => progress({ type: 'retry', ...e }));
    const releases: (() => void)[] = [];
    // Layer blobs whose content was refused (over the size cap, sparse members, a wrong diff id): of no
    // use to a retry, so they go when the pull fails; complete, valid layers stay for the retry (sweep).
    const refused = new Set<string>();
    try {
      const reference = parsed.digest ?? parsed.tag ?? 'latest';
      const top = await resolveStep(display, () => session.manifest(reference, signal));
      let manifest = top;
      let doc = parseJson(top.bytes, `manifest of "${display}"`);
      let platform = formatPlatform(deps.platform);
      if (manifestKind(doc, top.mediaType, `manifest of "${display}"`) === 'index') {
        const entries = parseIndex(doc, `index of "${display}"`);
        const chosen = choosePlatform(entries, deps.platform);
        if (!chosen) {
          const offered = entries.filter((m) => m.platform).map((m) => formatPlatform(m.platform!)).join(', ') || 'none';
          throw new RegistryError('not-found', `no match for platform in manifest: the image offers ${offered}, this node is ${formatPlatform(deps.platform)}: not found`);
        }
        if (chosen.platform) platform = formatPlatform(chosen.platform);
        manifest = await resolveStep(display, () => session.manifest(chosen.digest, signal));
        doc = parseJson(manifest.bytes, `manifest ${chosen.digest} of "${display}"`);
        if (manifestKind(doc, manifest.mediaType, `manifest ${chosen.digest}`) !== 'manifest') {
          throw new RegistryError('invalid', `manifest ${chosen.digest} of "${display}": an index inside an index is not supported`);
        }
        if (chosen.size >= 0 && chosen.size !== manifest.bytes.length) {
          throw new RegistryError('invalid', `manifest ${chosen.digest}: size mismatch: the index declares ${chosen.size} bytes, got ${manifest.bytes.length}`);
        }
      }
      const im = parseImageManifest(doc, `manifest of "${display}"`);
      progress({ type: 'resolved', ref: display, manifestDigest: top.digest, platform, layers: im.layers.map((l) => ({ digest: l.digest, size: l.size })) });
      releases.push(deps.catalog.hold([manifest.digest, im.config.digest, ...im.layers.map((l) => l.digest)]));

      const configBytes = (await exists(deps.layout.blobPath(im.config.digest)))
        ? await fs.readFile(deps.layout.blobPath(im.config.digest))
        : await session.blobBytes(im.config.digest, im.config.size, signal);
      const config = parseJson(configBytes, `config ${im.config.digest} of "${display}"`);
      let diffIds: string[];
      try {
        diffIds = configDiffIds(config);
      } catch (err) {
        throw new RegistryError('invalid', `config ${im.config.digest} of "${display}": ${(err as Error).message}`);
      }
      if (diffIds.length !== im.layers.length) {
        throw new RegistryError('invalid', `"${display}": the config lists ${diffIds.length} layers but the manifest ${im.layers.length}`);
      }
      const keys = chainIds(diffIds);
      releases.push(deps.catalog.hold([...diffIds, ...keys]));
      await putBlobBytes(deps.layout, configBytes);

      // Which layers are already unpacked; start the others' downloads now, a few at a time.
      const present = await Promise.all(keys.map(async (k) => (await deps.layers.get(k)) !== undefined));
      const downloads = im.layers.map((l, i) => {
        if (present[i]) {
          progress({ type: 'layer', digest: l.digest, status: 'exists', current: l.size, total: l.size });
          return undefined;
        }
        progress({ type: 'layer', digest: l.digest, status: 'waiting', current: 0, total: l.size });
        const p = this.download(session, l.digest, l.size, signal, throttled((n) => progress({ type: 'layer', digest: l.digest, status: 'downloading', current: n, total: l.size }), deps.clock));
        p.catch(() => undefined); // awaited below, in order; a failure of a later one must not go unhandled
        return p;
      });
      // Each layer is staged as soon as its blob is in (a few at once), and finished once the layers
      // under it are (implied dirs take their modes from them).
      const unpacked: Promise<void>[] = [];
      const failures: unknown[] = [];
      for (let i = 0; i < im.layers.length; i++) {
        const l = im.layers[i]!;
        const d = downloads[i];
        const lowersReady = Promise.all(unpacked.slice(0, i));
        lowersReady.catch(() => undefined); // a lower's failure is reported by that lower
        unpacked.push(
          d === undefined
            ? Promise.resolve()
            : (async () => {
                await d;
                progress({ type: 'layer', digest: l.digest, status: 'extracting', current: l.size, total: l.size });
                try {
                  await deps.layers.ensure({ blob: deps.layout.blobPath(l.digest), blobDigest: l.digest, expectedDiffId: diffIds[i], lowerDiffIds: diffIds.slice(0, i), lowersReady });
                } catch (err) {
                  if (err instanceof RegistryError) throw err;
                  if (err instanceof BadRequestError) refused.add(l.digest);
                  throw new RegistryError('invalid', `layer ${l.digest} of "${display}": ${(err as Error).message}`, { cause: err });
                }
                progress({ type: 'layer', digest: l.digest, status: 'done', current: l.size, total: l.size });
              })(),
        );
        unpacked[i]!.catch((err: unknown) => {
          failures.push(err);
          pullAbort.abort(); // the other downloads stop; stagings in progress end on their own
        });
      }
      // Every layer settles before the pull answers, so a failed pull has nothing still running.
      await Promise.allSettled(unpacked);
      // The cause, not the cancellations it set off in the other layers.
      const cause = failures.find((e) => !(e instanceof RegistryError && e.kind === 'canceled')) ?? failures[0];
      if (failures.length > 0) throw cause;
      await putBlobBytes(deps.layout, manifest.bytes);
      const image = await deps.catalog.commit({
        manifestDigest: manifest.digest,
        configDigest: im.config.digest,
        config,
        layerBlobs: im.layers.map((l) => l.digest),
        repoTags: parsed.digest ? [] : [display],
        repoDigests: [`${parsed.name}@${top.digest}`],
      });
      deps.logger.info({ image: display, id: image.id, digest: top.digest, platform }, 'image pulled');
      return image;
    } catch (err) {
      pullAbort.abort(); // detach from shared downloads (stopping those nobody else waits for)
      throw err;
    } finally {
      opts.signal?.removeEventListener('abort', onOuterAbort);
      for (const r of releases) r();
      session.close();
      if (refused.size > 0) {
        await deps.catalog.discard({ blobs: refused, layers: new Set() }, new Set()).catch((err: unknown) => deps.logger.warn({ err: (err as Error).message }, 'could not remove refused layer blobs: the sweep will'));
      }
    }
  }

  /**
   * Downloads a blob into blobs/ unless it is there; shared by every pull that wants it at once. A
   * shared download runs on the session of the pull that started it (kept open for it); a pull from
   * another registry, repository or with other credentials that joined it tries on its own session
   * when the shared one fails. One whose every waiter left is aborted and no longer joined.
   */
  private async download(session: RegistrySession, digest: string, size: number, signal: AbortSignal, onBytes: (n: number) => void): Promise<void> {
    const key = sessionKey(session);
    for (let attempt = 0; ; attempt++) {
      const existing = this.downloads.get(digest);
      const shared = existing && !existing.controller.signal.aborted && attempt === 0 ? existing : this.startDownload(session, key, digest, size);
      try {
        await this.join(shared, signal, onBytes);
        return;
      } catch (err) {
        const canceled = signal.aborted || (err instanceof RegistryError && err.kind === 'canceled' && shared.key === key);
        if (canceled || shared.key === key || attempt > 0) throw err;
      }
    }
  }

  private startDownload(session: RegistrySession, key: string, digest: string, size: number): SharedDownload {
    const controller = new AbortController();
    const listeners = new Set<(n: number) => void>();
    session.retain();
    const promise = this.limited(async () => {
      if (await exists(this.deps.layout.blobPath(digest))) return;
      const tmp = path.join(this.deps.layout.tmpDir, `pull-${randomBytes(8).toString('hex')}`);
      try {
        await session.blobToFile(digest, size, tmp, { signal: controller.signal, onBytes: (n) => listeners.forEach((l) => l(n)) });
        await putBlobFile(this.deps.layout, digest, tmp, true);
      } finally {
        await fs.rm(tmp, { force: true });
      }
    }, controller.signal).finally(() => {
      session.close();
      if (this.downloads.get(digest) === shared) this.downloads.delete(digest);
    });
    promise.catch(() => undefined);
    const shared: SharedDownload = { promise, controller, users: 0, listeners, key };
    this.downloads.set(digest, shared);
    controller.signal.addEventListener('abort', () => {
      if (this.downloads.get(digest) === shared) this.downloads.delete(digest);
    }, { once: true });
    return shared;
  }

  private join(s: SharedDownload, signal: AbortSignal, onBytes: (n: number) => void): Promise<void> {
    s.users++;
    s.listeners.add(onBytes);
    return new Promise<void>((resolve, reject) => {
      const leave = () => {
        s.listeners.delete(onBytes);
        signal.removeEventListener('abort', onAbort);
        s.users--;
      };
      const onAbort = () => {
        leave();
        if (s.users === 0) s.controller.abort();
        reject(new RegistryError('canceled', 'pull canceled'));
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      s.promise.then(
        () => {
          leave();
          resolve();
        },
        (err: unknown) => {
          leave();
          reject(err);
        },
      );
    });
  }

  /** Runs fn when fewer than `concurrency` downloads are running. */
  private async limited<T>(fn: () => Promise<T>, signal: AbortSignal): Promise<T> {
    if (this.active >= this.deps.concurrency) {
      await new Promise<void>((resolve) => this.queue.push(resolve));
    }
    this.active++;
    try {
      if (signal.aborted) throw new RegistryError('canceled', 'pull canceled');
      return await fn();
    } finally {
      this.active--;
      this.queue.shift()?.();
    }
  }
}

/** Manifest resolution errors get containerd's framing: `failed to resolve reference "X": …`. */
async function resolveStep<T>(display: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof RegistryError && err.kind === 'not-found') {
      throw new RegistryError('not-found', `failed to resolve reference "${display}": ${display}: not found (${err.message})`, { status: 404 });
    }
    if (err instanceof RegistryError) {
      throw new RegistryError(err.kind, `failed to resolve reference "${display}": ${err.message}`, { ...(err.status !== undefined ? { status: err.status } : {}), cause: err });
    }
    throw err;
  }
}

function pullError(display: string, err: unknown): Error {
  if (err instanceof PullError) return err;
  const kind = err instanceof RegistryError ? err.kind : 'unknown';
  const msg = err instanceof Error ? err.message : String(err);
  return new PullError(`failed to pull and unpack image "${display}": ${msg}`, kind, err);
}

function parseJson(bytes: Buffer, what: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new RegistryError('invalid', `${what}: not valid JSON`);
  }
}

/** Calls fn at most every PROGRESS_EVERY_MS (the last value always gets through at the end via done). */
function throttled(fn: (n: number) => void, clock: Clock): (n: number) => void {
  let last = 0;
  return (n) => {
    const now = clock.now();
    if (now - last >= PROGRESS_EVERY_MS) {
      last = now;
      fn(n);
    }
  };
}

/** What a download depends on besides the digest: where from, and as whom. */
function sessionKey(s: RegistrySession): string {
  return JSON.stringify([s.domain, s.repoPath, s.credentialId]);
}
