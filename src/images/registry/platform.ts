// The node's platform and choosing an image index entry for it, as containerd's platform matcher does:
// os and architecture must match; for arm the variant must match too (v8 is the default for arm64, so an
// arm64 entry without a variant matches an arm64/v8 node); an exact variant match wins over a default
// one. Pure, apart from reading process.arch once.

import type { Descriptor, Platform } from '../manifest.js';

const ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', loong64: 'loong64', mips: 'mips', mipsel: 'mipsle' };

/** The platform images are chosen for: linux and the architecture Node runs on. */
export function nodePlatform(arch: string = process.arch, armVersion?: string): Platform {
  const architecture = ARCH[arch] ?? arch;
  if (architecture === 'arm64') return { os: 'linux', architecture, variant: 'v8' };
  if (architecture === 'arm') {
    const v = armVersion ?? String((process.config.variables as Record<string, unknown>).arm_version ?? '7');
    return { os: 'linux', architecture, variant: `v${v}` };
  }
  return { os: 'linux', architecture };
}

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

function normVariant(p: Platform): string {
  if (p.architecture === 'arm64' && (!p.variant || p.variant === 'v8')) return 'v8';
  if (p.architecture === 'amd64' && (!p.variant || p.variant === 'v1')) return '';
  return p.variant ?? '';
}

/**
 * The index entry to pull on `want`, or undefined. Entries without a platform (attestations, some
 * single-entry indexes) match only when no entry has one.
 */
export function choosePlatform(manifests: Descriptor[], want: Platform): Descriptor | undefined {
  const withPlatform = manifests.filter((m) => m.platform);
  if (withPlatform.length === 0) return manifests.length === 1 ? manifests[0] : undefined;
  const candidates = withPlatform.filter((m) => m.platform!.os === want.os && m.platform!.architecture === want.architecture);
  const wantVariant = normVariant(want);
  const exact = candidates.find((m) => normVariant(m.platform!) === wantVariant);
  if (exact) return exact;
  if (want.architecture === 'arm') {
    // An armv7 node runs armv6 and armv5 images, newest first, as containerd allows.
    const mine = Number(wantVariant.replace(/^v/, '')) || 7;
    for (let v = mine - 1; v >= 5; v--) {
      const hit = candidates.find((m) => normVariant(m.platform!) === `v${v}`);
      if (hit) return hit;
    }
    return undefined;
  }
  return candidates.find((m) => !m.platform!.variant);
}
