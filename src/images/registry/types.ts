// The registry side of the image service: what a pull needs (credentials, cancellation, progress) and
// what it reports. Kept apart from the RootfsProvider role the runtime uses (style.md §9).

import type { Image } from '../images.js';

/** One set of credentials for a registry, as docker's config.json and the kubelet's keyring hold them. */
export interface RegistryCredential {
  username: string;
  password: string;
  /** Where it came from, for messages ("secret default/regcred", "node config /var/lib/peapod/config.json"). Never the secret itself. */
  source?: string;
}

/** The state of one layer during a pull, as `peapod image pull` draws it. */
export type LayerStatus = 'waiting' | 'exists' | 'downloading' | 'verifying' | 'extracting' | 'done';

export type PullEvent =
  | { type: 'resolved'; ref: string; manifestDigest: string; platform: string; layers: { digest: string; size: number }[] }
  | { type: 'layer'; digest: string; status: LayerStatus; current: number; total: number }
  | { type: 'retry'; digest?: string; attempt: number; delayMs: number; reason: string };

export interface PullOptions {
  /**
   * Credentials to try, in order (the kubelet tries every matching one until a pull succeeds).
   * Empty or absent: anonymous.
   */
  credentials?: RegistryCredential[];
  signal?: AbortSignal;
  progress?: (e: PullEvent) => void;
}

export interface ImagePuller {
  /** Pulls `ref` into the local store; resolves to the stored image (repoDigests holds name@manifest digest). */
  pull(ref: string, opts?: PullOptions): Promise<Image>;
}
