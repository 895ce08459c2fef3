// peapod's own endpoints for the peapod CLI (not part of the Kubernetes API):
//   GET    /peapod/v1/images                 → {items: Image[]}
//   POST   /peapod/v1/images/load            body = image archive → 201 {items: Image[]}
//   POST   /peapod/v1/images/import?name=R   body = rootfs tar → 201 Image
//   POST   /peapod/v1/images/pull            body = {ref, username?, password?} → 200 application/x-ndjson:
//                                             PullEvents (images/registry/types.ts), then one last line
//                                             {type:"pulled", image} or {type:"error", status: Status}
//   POST   /peapod/v1/images/prune?all=B     → 200 {deleted: [ids], reclaimedBytes}
//   DELETE /peapod/v1/images/<encoded ref>   → 200 Success Status
//   GET    /peapod/v1/runtime/ps             → {sandboxes, containers}, each with its namespaces
//   GET    /peapod/v1/version                → ServerVersions (node/host-versions.ts): peapod, the
//                                             Kubernetes API, Node.js, runc, conmon, catatonit, CNI, OS
// 503 when the daemon was started without an image service or runtime.

import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Transform } from 'node:stream';
import { BadRequestError, UnavailableError } from '../errors.js';
import type { ImageService } from '../images/images.js';
import type { Runtime } from '../runtime/runtime.js';
import { describeNamespaces } from '../runtime/inspect.js';
import { methodNotAllowed, HttpStatusError } from './api-errors.js';
import type { ApiDeps } from './deps.js';
import { DEFAULT_GC_LOW_PERCENT, statfsSpace } from '../images/gc.js';
import { DEFAULT_MAX_IMAGE_UPLOAD, checkDeclaredLength, checkSpaceFor, limitBytes } from './upload-limit.js';
import { readBody, sendJson, type RequestContext } from './http.js';
import { errorToStatus, successStatus } from './status.js';
import { normalizeReference } from '../images/reference.js';
import type { PullEvent } from '../images/registry/types.js';
import { loadNodeKeyring } from '../images/registry/credentials.js';

function images(deps: ApiDeps): ImageService {
  if (!deps.images) throw new UnavailableError('the image service is not available in this daemon');
  return deps.images;
}

function runtime(deps: ApiDeps): Runtime {
  if (!deps.runtime) throw new UnavailableError('the container runtime is not available in this daemon');
  return deps.runtime;
}

/**
 * Streams the request body to a temp file under <dataDir>/tmp, runs `use`, removes the file. The body is
 * capped (`serve --max-image-upload`) and must leave the disk's reserve free: 413 otherwise, before any
 * byte is written when Content-Length tells, else as soon as the cap is passed.
 */
async function withUploadedFile<T>(deps: ApiDeps, ctx: RequestContext, use: (file: string) => Promise<T>): Promise<T> {
  const dir = path.join(deps.paths.dataDir, 'tmp');
  const { maxBytes, reservePercent } = deps.imageUpload ?? { maxBytes: DEFAULT_MAX_IMAGE_UPLOAD, reservePercent: 100 - DEFAULT_GC_LOW_PERCENT };
  const declared = checkDeclaredLength(ctx.req.headers['content-length'], maxBytes);
  // The space first: on a full disk even the temp dir cannot be made, and no upload of any size fits.
  const space = await statfsSpace(deps.paths.dataDir);
  checkSpaceFor(declared, space, reservePercent);
  // Not recursive (the data dir exists): Node's recursive mkdir reports a full disk as ENOENT.
  await mkdir(dir, { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw err;
  });
  const file = path.join(dir, `upload-${randomBytes(8).toString('hex')}.tar`);
  try {
    await receive(ctx, limitBytes(maxBytes, 'image upload', { space: { fs: space, reservePercent } }), file);
    return await use(file);
  } finally {
    await rm(file, { force: true });
  }
}

/**
 * req → limiter → file. Unlike pipeline(), an over-cap upload does not destroy the request: the error
 * answer (413, then Connection: close) goes out while the rest of the body is read and dropped, so a
 * client still sending gets it rather than a broken pipe.
 */
function receive(ctx: RequestContext, limiter: Transform, file: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const out = createWriteStream(file, { mode: 0o600 });
    const fail = (err: unknown) => {
      ctx.req.unpipe(limiter);
      limiter.destroy();
      out.destroy();
      reject(err);
    };
    limiter.on('error', fail);
    out.on('error', fail);
    ctx.req.on('error', fail);
    out.on('finish', resolve);
    ctx.req.pipe(limiter).pipe(out);
  });
}

async function namespacesOf(pid: number): Promise<Record<string, string>> {
  if (!pid) return {};
  try {
    return await describeNamespaces(pid);
  } catch {
    return {};
  }
}

export async function handlePeapod(deps: ApiDeps, ctx: RequestContext): Promise<void> {
  const sub = ctx.path.slice('/peapod/v1/'.length);
  const m = ctx.method;
  if (sub === 'images') {
    if (m !== 'GET') throw methodNotAllowed(m, ctx.path);
    return sendJson(ctx, 200, { items: await images(deps).listImages() });
  }
  if (sub === 'images/load') {
    if (m !== 'POST') throw methodNotAllowed(m, ctx.path);
    const svc = images(deps);
    const items = await withUploadedFile(deps, ctx, (f) => svc.loadArchive(f));
    return sendJson(ctx, 201, { items });
  }
  if (sub === 'images/import') {
    if (m !== 'POST') throw methodNotAllowed(m, ctx.path);
    const name = ctx.query.get('name');
    if (!name) throw new BadRequestError('import needs a name: ?name=<reference>');
    const svc = images(deps);
    const image = await withUploadedFile(deps, ctx, (f) => svc.importRootfs(f, name));
    return sendJson(ctx, 201, image);
  }
  if (sub === 'images/prune') {
    if (m !== 'POST') throw methodNotAllowed(m, ctx.path);
    const r = await images(deps).prune(ctx.query.get('all') === 'true');
    return sendJson(ctx, 200, r);
  }
  if (sub === 'images/pull') {
    if (m !== 'POST') throw methodNotAllowed(m, ctx.path);
    return pullImage(deps, ctx);
  }
  if (sub.startsWith('images/')) {
    if (m !== 'DELETE') throw methodNotAllowed(m, ctx.path);
    let ref: string;
    try {
      ref = decodeURIComponent(sub.slice('images/'.length));
    } catch {
      throw new BadRequestError(`malformed image reference in the path: ${sub.slice('images/'.length)}`);
    }
    await images(deps).removeImage(ref);
    return sendJson(ctx, 200, successStatus(200, { name: ref, kind: 'images' }));
  }
  if (sub === 'version') {
    if (m !== 'GET') throw methodNotAllowed(m, ctx.path);
    if (!deps.versions) throw new UnavailableError('this daemon does not report its versions');
    return sendJson(ctx, 200, await deps.versions());
  }
  if (sub === 'runtime/ps') {
    if (m !== 'GET') throw methodNotAllowed(m, ctx.path);
    const rt = runtime(deps);
    const [sandboxes, containers] = await Promise.all([rt.listPodSandboxes(), rt.listContainers()]);
    return sendJson(ctx, 200, {
      sandboxes: await Promise.all(sandboxes.map(async (s) => ({ ...s, namespaces: await namespacesOf(s.pid) }))),
      containers: await Promise.all(containers.map(async (c) => ({ ...c, namespaces: await namespacesOf(c.pid) }))),
    });
  }
  throw new HttpStatusError(404, 'NotFound', `the server could not find the requested resource (${ctx.path})`);
}

/** `peapod image pull`: the pull's progress as NDJSON while it runs; the client going away cancels it. */
async function pullImage(deps: ApiDeps, ctx: RequestContext): Promise<void> {
  const svc = images(deps);
  let body: { ref?: unknown; username?: unknown; password?: unknown };
  try {
    body = JSON.parse((await readBody(ctx, 64 << 10)).toString('utf8')) as typeof body;
  } catch {
    throw new BadRequestError('pull needs a JSON body: {"ref": "<image reference>"}');
  }
  if (typeof body !== 'object' || body === null || typeof body.ref !== 'string' || body.ref === '') {
    throw new BadRequestError('pull needs a JSON body: {"ref": "<image reference>"}');
  }
  const ref = body.ref;
  normalizeReference(ref); // a malformed reference is a 400 before the stream starts
  // --creds, else what the node's config.json holds for that registry (as for pods).
  const credentials =
    typeof body.username === 'string' && typeof body.password === 'string'
      ? [{ username: body.username, password: body.password, source: 'the --creds of peapod image pull' }]
      : (await loadNodeKeyring(deps.paths.dataDir)).lookup(ref);
  ctx.res.writeHead(200, { 'Content-Type': 'application/x-ndjson', 'Cache-Control': 'no-store' });
  const line = (v: unknown) => {
    if (!ctx.res.writableEnded && !ctx.res.destroyed) ctx.res.write(`${JSON.stringify(v)}\n`);
  };
  try {
    const image = await svc.pullImage(ref, { credentials, signal: ctx.signal, progress: (e: PullEvent) => line(e) });
    line({ type: 'pulled', image });
  } catch (err) {
    line({ type: 'error', status: errorToStatus(err).status });
  }
  ctx.res.end();
}
