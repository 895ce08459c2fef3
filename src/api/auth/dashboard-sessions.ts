// Dashboard logins (issue 16): `peapod dashboard` asks the API, with the caller's own credentials, for a
// one-time login token; the page it links to trades the token for a session cookie (HttpOnly, Secure,
// SameSite=Strict) bound to that same user, and every API call the page makes is then authenticated by
// the cookie and authorized like any of that user's requests. Tokens and sessions live in the daemon's
// memory only: a restart logs every page out. Both are looked up by their SHA-256, never compared as text.

import { createHash, randomBytes } from 'node:crypto';
import type { UserInfo } from './types.js';

export const SESSION_COOKIE = 'peapod-session';
/** How long a login link works (once). */
export const LOGIN_TOKEN_TTL_MS = 5 * 60_000;
/** How long a dashboard session lasts from its login. */
export const SESSION_TTL_MS = 8 * 3600_000;
/** At most this many unexpired tokens and sessions each; the oldest goes first. */
export const MAX_ENTRIES = 1024;
/** The header a page sends on every unsafe request (a cross-site form cannot). */
export const DASHBOARD_HEADER = 'x-peapod-dashboard';

interface Entry {
  user: UserInfo;
  expiresAt: number;
}

const digest = (secret: string) => createHash('sha256').update(secret).digest('hex');
const SECRET = /^[A-Za-z0-9_-]{43}$/;

export class DashboardSessions {
  private readonly tokens = new Map<string, Entry>();
  private readonly sessions = new Map<string, Entry>();

  constructor(private readonly now: () => number) {}

  /** A one-time login token for `user`, valid LOGIN_TOKEN_TTL_MS. */
  mintLoginToken(user: UserInfo): { token: string; expiresAt: number } {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = this.now() + LOGIN_TOKEN_TTL_MS;
    put(this.tokens, digest(token), { user, expiresAt }, this.now());
    return { token, expiresAt };
  }

  /** Trades a login token (once) for a session; undefined when the token is unknown, used or expired. */
  login(token: string): { session: string; user: UserInfo; expiresAt: number } | undefined {
    if (!SECRET.test(token)) return undefined;
    const key = digest(token);
    const e = this.tokens.get(key);
    this.tokens.delete(key);
    if (!e || e.expiresAt <= this.now()) return undefined;
    const session = randomBytes(32).toString('base64url');
    const expiresAt = this.now() + SESSION_TTL_MS;
    put(this.sessions, digest(session), { user: e.user, expiresAt }, this.now());
    return { session, user: e.user, expiresAt };
  }

  /** The user of a live session; undefined (and forgotten) when unknown or expired. */
  userOf(session: string): UserInfo | undefined {
    if (!SECRET.test(session)) return undefined;
    const key = digest(session);
    const e = this.sessions.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= this.now()) {
      this.sessions.delete(key);
      return undefined;
    }
    return e.user;
  }

  /** Ends a session (logout). */
  end(session: string): void {
    if (SECRET.test(session)) this.sessions.delete(digest(session));
  }

  /** Live counts, for tests. */
  get size(): { tokens: number; sessions: number } {
    return { tokens: this.tokens.size, sessions: this.sessions.size };
  }
}

/** Adds an entry, first dropping expired ones, then the oldest while full. */
function put(map: Map<string, Entry>, key: string, e: Entry, now: number): void {
  for (const [k, v] of map) if (v.expiresAt <= now) map.delete(k);
  while (map.size >= MAX_ENTRIES) map.delete(map.keys().next().value!);
  map.set(key, e);
}

/** The session cookie's value in a Cookie header, if any. */
export function sessionFromCookie(header: string | string[] | undefined): string | undefined {
  const text = Array.isArray(header) ? header.join('; ') : header;
  if (!text) return undefined;
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The Set-Cookie of a session (or, with maxAgeS 0, of its removal): only this origin's HTTPS pages, no script. */
export function sessionCookie(value: string, maxAgeS: number): string {
  return `${SESSION_COOKIE}=${value}; Path=/; Max-Age=${Math.max(0, Math.floor(maxAgeS))}; HttpOnly; Secure; SameSite=Strict`;
}

/**
 * Why a cookie-authenticated request is refused, if it is: from a page of another origin (its Origin header
 * names another host), or an unsafe method without the dashboard's header (what a cross-site form posts).
 */
export function crossSiteReason(h: { method: string; origin?: string; host?: string; dashboardHeader?: string }): string | undefined {
  if (h.origin !== undefined && h.origin !== `https://${h.host ?? ''}`) return `a dashboard session used from another origin (${h.origin})`;
  const safe = h.method === 'GET' || h.method === 'HEAD' || h.method === 'OPTIONS';
  if (!safe && h.dashboardHeader !== '1') return `a dashboard session used for ${h.method} without the ${DASHBOARD_HEADER} header`;
  return undefined;
}
