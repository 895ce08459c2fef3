// Where the image store keeps things under paths.imagesDir. The layout is content-addressed so a
// registry client can later write into it with the same calls as archive loading:
//
//   <imagesDir>/
//     blobs/sha256/<hex>         manifests, configs and layers exactly as received (compressed or not)
//     layers/<chainid-hex>/      one dir per unpacked layer, keyed by its chain id (chain-id.ts: the diff
//                                id over its lowers; the bottom layer's is its diff id)
//       diff/                    the unpacked tree (whiteouts as 0:0 char devices, opaque xattrs)
//       layer.json               LayerRecord, written last: a layer without it is incomplete
//     l/<short>                  short symlinks → ../layers/<hex>/diff, so long lowerdir lists fit a page
//     images/<id-hex>.json       one ImageRecord per image
//     overlay/<containerId>/     upper, work, merged and rootfs.json per container rootfs
//     tmp/                       staging (same filesystem, so rename into place is atomic)

import path from 'node:path';
import { BadRequestError } from '../errors.js';
import { digestHex } from './reference.js';

export class StoreLayout {
  readonly root: string;
  readonly blobsDir: string;
  readonly layersDir: string;
  readonly linksDir: string;
  readonly imagesMetaDir: string;
  readonly overlayDir: string;
  readonly tmpDir: string;

  constructor(imagesDir: string) {
    this.root = imagesDir;
    this.blobsDir = path.join(imagesDir, 'blobs', 'sha256');
    this.layersDir = path.join(imagesDir, 'layers');
    this.linksDir = path.join(imagesDir, 'l');
    this.imagesMetaDir = path.join(imagesDir, 'images');
    this.overlayDir = path.join(imagesDir, 'overlay');
    this.tmpDir = path.join(imagesDir, 'tmp');
  }

  /** Every dir init() creates. */
  dirs(): string[] {
    return [this.blobsDir, this.layersDir, this.linksDir, this.imagesMetaDir, this.overlayDir, this.tmpDir];
  }

  blobPath(digest: string): string {
    return path.join(this.blobsDir, digestHex(digest));
  }

  layerDir(key: string): string {
    return path.join(this.layersDir, digestHex(key));
  }

  layerDiffDir(key: string): string {
    return path.join(this.layerDir(key), 'diff');
  }

  layerRecordPath(key: string): string {
    return path.join(this.layerDir(key), 'layer.json');
  }

  imageRecordPath(imageId: string): string {
    return path.join(this.imagesMetaDir, `${digestHex(imageId)}.json`);
  }

  /** A container's rootfs dir; the id must be a plain name (no "/", not "." or ".."). */
  containerDir(containerId: string): string {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(containerId)) {
      throw new BadRequestError(`invalid container id "${containerId}" for a rootfs dir`);
    }
    return path.join(this.overlayDir, containerId);
  }
}
