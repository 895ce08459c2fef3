// Resolves the container's process user from the security context and the image's user string against
// the rootfs /etc/passwd and /etc/group (containerd's rules): runAsUser/runAsGroup win; an image user may
// be `uid`, `uid:gid`, `name`, `name:group`, `uid:group` or `name:gid`; supplementary groups come from
// /etc/group membership plus the pod's supplementalGroups.

import { BadRequestError } from '../errors.js';
import type { OciUser } from './oci-types.js';
import { readRootfsFile } from './rootfs-file.js';

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
}

export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

export function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(':');
    if (f.length < 4 || f[0].startsWith('#')) continue;
    const uid = Number(f[2]);
    const gid = Number(f[3]);
    if (Number.isInteger(uid) && Number.isInteger(gid)) out.push({ name: f[0], uid, gid });
  }
  return out;
}

export function parseGroup(text: string): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(':');
    if (f.length < 3 || f[0].startsWith('#')) continue;
    const gid = Number(f[2]);
    const members = (f[3] ?? '').split(',').filter((m) => m !== '');
    if (Number.isInteger(gid)) out.push({ name: f[0], gid, members });
  }
  return out;
}

export interface UserRequest {
  runAsUser?: number;
  runAsGroup?: number;
  imageUser?: string;
  supplementalGroups: number[];
}

const isNumeric = (s: string) => /^\d+$/.test(s);

/** Pure resolution against parsed passwd/group tables; throws BadRequestError for unknown names. */
export function resolveUser(req: UserRequest, passwd: PasswdEntry[], groups: GroupEntry[]): OciUser {
  let uid = 0;
  let gid: number | undefined;
  let userName: string | undefined;
  const [userPart, groupPart] = (req.imageUser ?? '').split(':', 2) as [string, string | undefined];
  if (req.runAsUser !== undefined) {
    uid = req.runAsUser;
    userName = passwd.find((p) => p.uid === uid)?.name;
  } else if (userPart !== '') {
    if (isNumeric(userPart)) {
      uid = Number(userPart);
      userName = passwd.find((p) => p.uid === uid)?.name;
    } else {
      const entry = passwd.find((p) => p.name === userPart);
      if (!entry) throw new BadRequestError(`image user "${userPart}" not found in /etc/passwd`);
      uid = entry.uid;
      userName = entry.name;
    }
  }
  if (req.runAsGroup !== undefined) gid = req.runAsGroup;
  else if (req.runAsUser === undefined && groupPart !== undefined && groupPart !== '') {
    if (isNumeric(groupPart)) gid = Number(groupPart);
    else {
      const g = groups.find((x) => x.name === groupPart);
      if (!g) throw new BadRequestError(`image group "${groupPart}" not found in /etc/group`);
      gid = g.gid;
    }
  }
  if (gid === undefined) gid = passwd.find((p) => p.uid === uid)?.gid ?? 0;
  const extra = new Set<number>();
  if (userName !== undefined) {
    for (const g of groups) if (g.members.includes(userName) && g.gid !== gid) extra.add(g.gid);
  }
  for (const g of req.supplementalGroups) if (g !== gid) extra.add(g);
  return { uid, gid, additionalGids: [...extra].sort((a, b) => a - b) };
}

/**
 * Reads the rootfs tables, each resolved inside the rootfs as a chroot would and capped (rootfs-file.ts):
 * the image's symlinks never lead to the host's files, FIFOs or devices.
 */
export async function resolveUserInRootfs(req: UserRequest, rootfs: string): Promise<OciUser> {
  const [passwdText, groupText] = await Promise.all([readRootfsFile(rootfs, 'etc/passwd'), readRootfsFile(rootfs, 'etc/group')]);
  return resolveUser(req, parsePasswd(passwdText), parseGroup(groupText));
}
