// peapod's own endpoints for the peapod CLI (not part of the Kubernetes API):
//   GET    /peapod/v1/images                 → {items: Image[]}
//   POST   /peapod/v1/images/load            body = image archive → 201 {items: Image[]}
//   POST   /peapod/v1/images/import?name=R   body = rootfs tar → 201 Image
//   DELETE /peapod/v1/images/<encoded ref>   → 200 Success Status
//   GET    /peapod/v1/runtime/ps             → {sandboxes, containers}, each with its namespaces
// 503 when the daemon was started without an image service or runtime.

import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { BadRequestError, UnavailableError } from '../errors.js';
import type { ImageService } from '../images/images.js';
import type { Runtime } from '../runtime/runtime.js';
import { describeNamespaces } from '../runtime/inspect.js';
import { methodNotAllowed, HttpStatusError } from './api-errors.js';
import type { ApiDeps } from './deps.js';
import { sendJson, type RequestContext } from './http.js';
import { successStatus } from './status.js';

function images(deps: ApiDeps): ImageService {
  if (!deps.images) throw new UnavailableError('the image service is not available in this daemon');
  return deps.images;
}

function runtime(deps: ApiDeps): Runtime {
  if (!deps.runtime) throw new UnavailableError('the container runtime is not available in this daemon');
  return deps.runtime;
}

/** Streams the request body to a temp file under <dataDir>/tmp, runs `use`, removes the file. */
async function withUploadedFile<T>(deps: ApiDeps, ctx: RequestContext, use: (file: string) => Promise<T>): Promise<T> {
  const dir = path.join(deps.paths.dataDir, 'tmp');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, `upload-${randomBytes(8).toString('hex')}.tar`);
  try {
    await pipeline(ctx.req, createWriteStream(file, { mode: 0o600 }));
    return await use(file);
  } finally {
    await rm(file, { force: true });
  }
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
