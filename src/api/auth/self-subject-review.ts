// SelfSubjectReview (authentication.k8s.io v1, v1beta1 and v1alpha1): "who am I?", asked by
// `kubectl auth whoami`, which tries v1, then v1beta1, then v1alpha1. The answer is a fresh review
// in the version asked for, created now, whose status.userInfo is the authenticated user; the body
// only has to be a SelfSubjectReview of that version.

import { rfc3339 } from '../time.js';
import { decodeReview, OBJECT_META, type StructShape } from './review-decode.js';
import type { UserInfo } from './types.js';

export type SelfSubjectReviewVersion = 'v1' | 'v1beta1' | 'v1alpha1';

/** authentication.k8s.io UserInfo: empty fields are left out, as omitempty leaves them. */
export interface ReviewedUserInfo {
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

export interface SelfSubjectReview {
  kind: 'SelfSubjectReview';
  apiVersion: `authentication.k8s.io/${SelfSubjectReviewVersion}`;
  metadata: { creationTimestamp: string };
  status: { userInfo: ReviewedUserInfo };
}

const SHAPE: StructShape = { goType: 'v1.SelfSubjectReview', fields: { metadata: OBJECT_META } };

export interface SelfSubjectReviewOptions {
  /** The version in the request path. */
  version: SelfSubjectReviewVersion;
  /** Unix ms, from the injected clock: the review's creationTimestamp. */
  now: number;
}

/** Answers a SelfSubjectReview for `user` (the apiserver replies 201 with it). */
export function selfSubjectReview(user: UserInfo, body: unknown, options: SelfSubjectReviewOptions): SelfSubjectReview {
  decodeReview(body, { group: 'authentication.k8s.io', version: options.version, kind: 'SelfSubjectReview' }, SHAPE);
  const userInfo: ReviewedUserInfo = {};
  if (user.username) userInfo.username = user.username;
  if (user.uid) userInfo.uid = user.uid;
  if (user.groups.length > 0) userInfo.groups = [...user.groups];
  if (user.extra && Object.keys(user.extra).length > 0) {
    userInfo.extra = Object.fromEntries(Object.entries(user.extra).map(([k, v]) => [k, [...v]]));
  }
  return {
    kind: 'SelfSubjectReview',
    apiVersion: `authentication.k8s.io/${options.version}`,
    metadata: { creationTimestamp: rfc3339(options.now) },
    status: { userInfo },
  };
}
