// The kubelet's EnsureImageExists: resolve a container's image per imagePullPolicy, with pull
// back-off and the kubelet's event wording. Returns the image or a start error (never throws).

import { errorMessage } from '../errors.js';
import type { Image, ImageService } from '../images/images.js';
import { normalizeReference } from '../images/reference.js';
import type { Container } from '../k8s/types.js';
import { backoffBlocked, backoffNext, pullKey, type BackoffState } from './backoff.js';
import { imageWithDefaultTag, pullPolicyOf } from './spec.js';
import type { ResolvedImage, StartError } from './status.js';

export type Emit = (type: 'Normal' | 'Warning', reason: string, message: string) => void;

export type PullOutcome =
  | { ok: true; image: Image; resolved: ResolvedImage }
  | { ok: false; error: StartError; /** When a pull back-off ends (unix ms). */ retryAt?: number };

export function resolvedImageOf(specImage: string, image: Image): ResolvedImage {
  let name = specImage;
  try {
    name = normalizeReference(specImage);
  } catch {
    // keep the spec's string; the image exists, so the reference was usable by the image service
  }
  return { image: name, imageID: image.repoDigests[0] ?? image.id };
}

export async function ensureImage(opts: {
  images: ImageService;
  container: Container;
  podUid: string;
  backoff: BackoffState;
  now: () => number;
  emit: Emit;
}): Promise<PullOutcome> {
  const { images, container, emit } = opts;
  const spec = container.image ?? '';
  const shown = imageWithDefaultTag(spec);
  const fail = (reason: string, message: string, retryAt?: number): PullOutcome => {
    emit('Warning', 'Failed', `Error: ${reason}`);
    return { ok: false, error: { reason, message }, ...(retryAt !== undefined ? { retryAt } : {}) };
  };
  try {
    normalizeReference(spec);
  } catch {
    const message = `Failed to apply default image tag "${spec}": couldn't parse image name "${spec}": invalid reference format`;
    emit('Warning', 'InspectFailed', message);
    return fail('InvalidImageName', message);
  }
  let present: Image | undefined;
  try {
    present = await images.imageStatus(spec);
  } catch (err) {
    const message = `Failed to inspect image "${shown}": ${errorMessage(err)}`;
    emit('Warning', 'InspectFailed', message);
    return fail('ImageInspectError', message);
  }
  if (present) {
    emit('Normal', 'Pulled', `Container image "${shown}" already present on machine`);
    return { ok: true, image: present, resolved: resolvedImageOf(spec, present) };
  }
  if (pullPolicyOf(container) === 'Never') {
    const message = `Container image "${shown}" is not present with pull policy of Never`;
    emit('Warning', 'ErrImageNeverPull', message);
    return fail('ErrImageNeverPull', message);
  }
  const key = pullKey(opts.podUid, spec);
  const rec = opts.backoff.get(key);
  const start = opts.now();
  const blocked = rec && backoffBlocked(rec, rec.lastUpdateMs, start);
  if (blocked) {
    const message = `Back-off pulling image "${shown}"`;
    emit('Normal', 'BackOff', message);
    return fail('ImagePullBackOff', message, blocked.until);
  }
  emit('Normal', 'Pulling', `Pulling image "${shown}"`);
  try {
    const image = await images.pullImage(spec);
    const secs = ((opts.now() - start) / 1000).toFixed(3);
    emit('Normal', 'Pulled', `Successfully pulled image "${shown}" in ${secs}s (${secs}s including waiting). Image size: ${image.size} bytes.`);
    opts.backoff.delete(key);
    return { ok: true, image, resolved: resolvedImageOf(spec, image) };
  } catch (err) {
    opts.backoff.set(key, backoffNext(rec, start));
    emit('Warning', 'Failed', `Failed to pull image "${shown}": ${errorMessage(err)}`);
    return fail('ErrImagePull', errorMessage(err));
  }
}
