// What a pod's anatomy says is partly written by the pod itself (its processes' command lines, its names
// and paths): before it is drawn on a terminal or in an SVG, every text is made printable on one line.
// Pure, no Node imports (bundled into the dashboard's page too).

import type { PodAnatomy } from '../node/anatomy-types.js';

/** A text on one line: runs of whitespace as one space, other control characters as \xNN (a terminal's escapes, XML's forbidden characters). */
export function printable(s: string): string {
  return s
    .replace(/[\t\n\v\f\r ]+/g, ' ')
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** A copy of the anatomy with every string printable(). */
export function cleanAnatomy(a: PodAnatomy): PodAnatomy {
  return JSON.parse(JSON.stringify(a), (_k, v: unknown) => (typeof v === 'string' ? printable(v) : v)) as PodAnatomy;
}
