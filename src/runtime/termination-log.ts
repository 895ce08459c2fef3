// The file a container writes its termination message to, bound at its terminationMessagePath. The
// kubelet creates it 0666 whatever the umask (so a container running as any user can write it) and
// reads at most its last 4096 bytes when the container has exited (tail.ReadAtMost with
// MaxContainerTerminationMessageLength): the end of what was written wins, and a container can never
// make the node read more. It is opened without following a link and without blocking, and read only
// when it is still a regular file: the container owns its contents, not what the runtime reads.

import { constants as fsConstants } from 'node:fs';
import { chmod, open, writeFile } from 'node:fs/promises';

/** The kubelet's MaxContainerTerminationMessageLength. */
export const TERMINATION_MESSAGE_MAX_BYTES = 4096;

/** Creates the (empty) file a container's terminationMessagePath is bound to. */
export async function createTerminationLog(file: string): Promise<void> {
  await writeFile(file, '', { mode: 0o666 });
  await chmod(file, 0o666);
}

/**
 * The termination message: the last 4096 bytes of the file as UTF-8. A missing file reads as no message;
 * any other failure as the kubelet words it ("Error on reading termination log <path>: ...").
 */
export async function readTerminationLog(file: string): Promise<string> {
  let fh;
  try {
    fh = await open(file, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    return `Error on reading termination log ${file}: ${(err as Error).message}`;
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) return `Error on reading termination log ${file}: not a regular file`;
    const length = Math.min(st.size, TERMINATION_MESSAGE_MAX_BYTES);
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fh.read(buf, 0, length, st.size - length);
    return buf.subarray(0, bytesRead).toString('utf8');
  } catch (err) {
    return `Error on reading termination log ${file}: ${(err as Error).message}`;
  } finally {
    await fh.close();
  }
}
