// Where peapod's busybox image lives on disk after `peapod setup`: its (single) unpacked layer, so podman
// can import the very same rootfs, and its config (env, cmd).

import { BUSYBOX_REF } from '../src/images/busybox.js';
import { LocalImageService } from '../src/images/local-image-service.js';
import type { NodePaths } from '../src/node/paths.js';
import { SystemClock } from '../src/system/clock.js';
import type { Exec } from '../src/system/exec.js';
import { silentLogger } from '../src/system/logger.js';

export async function busyboxLayer(paths: NodePaths, exec: Exec): Promise<{ layerDir: string; env: string[]; cmd: string[] }> {
  const images = new LocalImageService({ paths, exec, logger: silentLogger(), clock: new SystemClock() });
  await images.init();
  const img = await images.imageStatus(BUSYBOX_REF);
  if (!img) throw new Error(`image ${BUSYBOX_REF} not found in ${paths.imagesDir}`);
  if (img.layers.length !== 1) throw new Error(`image ${BUSYBOX_REF} has ${img.layers.length} layers, expected one rootfs layer`);
  return { layerDir: images.layout.layerDiffDir(img.layers[0]!), env: img.config.env, cmd: img.config.cmd };
}
