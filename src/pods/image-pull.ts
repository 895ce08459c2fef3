// The kubelet's EnsureImageExists: resolve a container's image per imagePullPolicy, with pull
// back-off and the kubelet's event wording. Returns the image or a start error (never throws).
//
// Always pulls on every container start, as the kubelet does (a pull whose layers are all present costs
// one manifest request). One exception, documented in the README: references in the `localhost/` domain
// (no port) name images made on this node (`peapod image load` / `import`, as podman names them); there is
// no registry to ask, so a present one is used as with IfNotPresent.

import { errorMessage } from '../errors.js';
import type { Image, ImageService } from '../images/images.js';
import { normalizeReference, parseReference } from '../images/reference.js';
import type { RegistryCredential } from '../images/registry/types.js';
import type { Container } from '../k8s/types.js';
import type { ImagePullRecorder } from '../metrics/recorder.js';
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
  /** Credentials to try for this image (the pod's imagePullSecrets, then the node's config.json). */
  credentials?: RegistryCredential[];
  /** The last pull error per back-off key, shown in the ImagePullBackOff message. */
  pullErrors?: Map<string, string>;
  signal?: AbortSignal;
  /** Counts each pull that went to a registry, with its result and duration. */
  metrics?: ImagePullRecorder;
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
  const policy = pullPolicyOf(container);
  if (present && (policy !== 'Always' || isNodeLocal(spec))) {
    emit('Normal', 'Pulled', `Container image "${shown}" already present on machine`);
    return { ok: true, image: present, resolved: resolvedImageOf(spec, present) };
  }
  if (policy === 'Never') {
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
    // As kubelets since 1.30: the waiting message carries the last pull error too.
    const last = opts.pullErrors?.get(key);
    return fail('ImagePullBackOff', last ? `${message}: ErrImagePull: ${last}` : message, blocked.until);
  }
  emit('Normal', 'Pulling', `Pulling image "${shown}"`);
  try {
    const image = await images.pullImage(spec, { credentials: opts.credentials ?? [], ...(opts.signal ? { signal: opts.signal } : {}) });
    const tookMs = opts.now() - start;
    opts.metrics?.imagePulled('success', tookMs / 1000, image.size);
    const secs = formatSeconds(tookMs);
    emit('Normal', 'Pulled', `Successfully pulled image "${shown}" in ${secs} (${secs} including waiting). Image size: ${image.size} bytes.`);
    opts.backoff.delete(key);
    opts.pullErrors?.delete(key);
    return { ok: true, image, resolved: resolvedImageOf(spec, image) };
  } catch (err) {
    opts.metrics?.imagePulled('failure', (opts.now() - start) / 1000);
    opts.backoff.set(key, backoffNext(rec, start));
    opts.pullErrors?.set(key, errorMessage(err));
    emit('Warning', 'Failed', `Failed to pull image "${shown}": ${errorMessage(err)}`);
    return fail('ErrImagePull', errorMessage(err));
  }
}

/** A `localhost/…` reference (no port): an image made on this node, never asked of a registry. */
export function isNodeLocal(image: string): boolean {
  try {
    return parseReference(image).domain === 'localhost';
  } catch {
    return false;
  }
}

/** Go's time.Duration String as the kubelet prints pull times: "1.234s", "532ms", "1m2.5s". */
export function formatSeconds(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  if (ms < 60_000) return `${trim((ms / 1000).toFixed(3))}s`;
  const m = Math.floor(ms / 60_000);
  return `${m}m${trim(((ms - m * 60_000) / 1000).toFixed(3))}s`;
}

function trim(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}
