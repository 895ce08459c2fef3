import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGroup, parsePasswd, resolveUser, type UserRequest } from './user.js';

const passwd = parsePasswd('root:x:0:0:root:/root:/bin/sh\nwww:x:33:33::/var/www:/bin/false\nbob:x:1000:1000::/home/bob:/bin/sh\n');
const groups = parseGroup('root:x:0:\nwww:x:33:\nusers:x:100:bob,www\nstaff:x:50:bob\nbob:x:1000:\n');

const cases: { name: string; req: Partial<UserRequest>; want: { uid: number; gid: number; additionalGids: number[] } }[] = [
  { name: 'no user means root', req: {}, want: { uid: 0, gid: 0, additionalGids: [] } },
  { name: 'a numeric uid takes its primary group from passwd', req: { imageUser: '1000' }, want: { uid: 1000, gid: 1000, additionalGids: [50, 100] } },
  { name: 'an unknown numeric uid gets gid 0', req: { imageUser: '4242' }, want: { uid: 4242, gid: 0, additionalGids: [] } },
  { name: 'uid:gid is taken literally', req: { imageUser: '33:7' }, want: { uid: 33, gid: 7, additionalGids: [100] } },
  { name: 'name:group resolves both names', req: { imageUser: 'www:staff' }, want: { uid: 33, gid: 50, additionalGids: [100] } },
  { name: 'runAsUser wins over the image user', req: { imageUser: 'www', runAsUser: 1000 }, want: { uid: 1000, gid: 1000, additionalGids: [50, 100] } },
  { name: 'runAsGroup wins over the primary group', req: { runAsUser: 33, runAsGroup: 9 }, want: { uid: 33, gid: 9, additionalGids: [100] } },
  { name: 'supplemental groups are added once', req: { imageUser: 'www', supplementalGroups: [100, 2000] }, want: { uid: 33, gid: 33, additionalGids: [100, 2000] } },
];
for (const c of cases) {
  test(c.name, () => assert.deepEqual(resolveUser({ supplementalGroups: [], ...c.req }, passwd, groups), c.want));
}

test('an unknown user name is rejected with its name', () => {
  assert.throws(() => resolveUser({ imageUser: 'nobody2', supplementalGroups: [] }, passwd, groups), /nobody2/);
});
test('an unknown group name is rejected with its name', () => {
  assert.throws(() => resolveUser({ imageUser: 'bob:wheel', supplementalGroups: [] }, passwd, groups), /wheel/);
});
