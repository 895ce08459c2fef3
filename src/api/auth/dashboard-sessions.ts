// Dashboard logins (issue 16): `peapod dashboard` asks the API, with the caller's own credentials, for a
// one-time login token; the page it links to trades the token for a session cookie (HttpOnly, Secure,
// SameSite=Strict) bound to that same user, and every API call the page makes is then authenticated by
// the cookie and authorized like any of that user's requests. A cookie is not enough on its own: cookies
// are not scoped by port, so a browser may send it to any server on 127.0.0.1 (a pod's hostPort among
// them). Each request must also carry the session's second secret in the x-peapod-dashboard header, which
// the login answered to the page's own script (kept in memory there: no other origin can read it).
// Tokens and sessions live in the daemon's memory only: a restart logs every page out. Secrets are looked
// up and compared by their SHA-256, never as text.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { UserInfo } from './types.js';

export const SESSION_COOKIE = 'peapod-session';
/** How long a login link works (once). */
export const LOGIN_TOKEN_TTL_MS = 5 * 60_000;
/** How long a dashboard session lasts from its login. */
export const SESSION_TTL_MS = 8 * 3600_000;
/** At most this many unexpired tokens and sessions each; the oldest goes first. */
export const MAX_ENTRIES = 1024;
/** At most this many of one user's tokens, and sessions: a user's own oldest goes first (no one can evict another's). */
export const MAX_TOKENS_PER_USER = 8;
export const MAX_SESSIONS_PER_USER = 16;
/** The header the page sends its session's second secret in, on every request (no other origin can). */
export const DASHBOARD_HEADER = 'x-peapod-dashboard';
/** On a WebSocket handshake the page offers its secret as a subprotocol with this prefix (the server never selects it). */
export const SECRET_PROTOCOL_PREFIX = 'dashboard.peapod.dev.';

interface Entry {
  user: UserInfo;
  expiresAt: number;
  /** A session's second secret (SHA-256, hex), sent by the page in DASHBOARD_HEADER. */
  pageSecret?: string;
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
    put(this.tokens, digest(token), { user, expiresAt }, this.now(), MAX_TOKENS_PER_USER);
    return { token, expiresAt };
  }

  /** Trades a login token (once) for a session and its page secret; undefined when the token is unknown, used or expired. */
  login(token: string): { session: string; pageSecret: string; user: UserInfo; expiresAt: number } | undefined {
    if (!SECRET.test(token)) return undefined;
    const key = digest(token);
    const e = this.tokens.get(key);
    this.tokens.delete(key);
    if (!e || e.expiresAt <= this.now()) return undefined;
    const session = randomBytes(32).toString('base64url');
    const pageSecret = randomBytes(32).toString('base64url');
    const expiresAt = this.now() + SESSION_TTL_MS;
    put(this.sessions, digest(session), { user: e.user, expiresAt, pageSecret: digest(pageSecret) }, this.now(), MAX_SESSIONS_PER_USER);
    return { session, pageSecret, user: e.user, expiresAt };
  }

  /** The user of a live session presented with its page secret; undefined (an expired one forgotten) otherwise. */
  userOf(session: string, pageSecret: string | undefined): UserInfo | undefined {
    if (!SECRET.test(session) || pageSecret === undefined || !SECRET.test(pageSecret)) return undefined;
    const key = digest(session);
    const e = this.sessions.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= this.now()) {
      this.sessions.delete(key);
      return undefined;
    }
    const want = Buffer.from(e.pageSecret ?? '', 'hex');
    const got = Buffer.from(digest(pageSecret), 'hex');
    return want.length === got.length && timingSafeEqual(want, got) ? e.user : undefined;
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

/** Adds an entry, first dropping expired ones, then the same user's oldest past `perUser`, then the oldest while full. */
function put(map: Map<string, Entry>, key: string, e: Entry, now: number, perUser: number): void {
  const mine: string[] = [];
  for (const [k, v] of map) {
    if (v.expiresAt <= now) map.delete(k);
    else if (v.user.username === e.user.username) mine.push(k);
  }
  while (mine.length >= perUser) map.delete(mine.shift()!);
  while (map.size >= MAX_ENTRIES) map.delete(map.keys().next().value!);
  map.set(key, e);
}

/**
 * The session cookie's value in a Cookie header, if there is exactly one (two mean another server of the
 * host set one too, cookies not being scoped by port: neither is trusted).
 */
export function sessionFromCookie(header: string | string[] | undefined): string | undefined {
  const text = Array.isArray(header) ? header.join('; ') : header;
  if (!text) return undefined;
  const found: string[] = [];
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === SESSION_COOKIE) found.push(part.slice(eq + 1).trim());
  }
  return found.length === 1 ? found[0] : undefined;
}

/**
 * The Set-Cookie of a session (a browser-session cookie: the server holds its expiry), or of its removal:
 * HTTPS only, no script, never sent by a page of another site.
 */
export function sessionCookie(value: string, opts: { remove?: boolean } = {}): string {
  return `${SESSION_COOKIE}=${value}; Path=/;${opts.remove ? ' Max-Age=0;' : ''} HttpOnly; Secure; SameSite=Strict`;
}

/** The API's own paths, the only ones a dashboard session authenticates (the page, health and version never need one). */
export function sessionPath(path: string): boolean {
  return /^\/(api|apis|peapod)(\/|$)/.test(path);
}

/**
 * Why a cookie-authenticated request is not the page's own, if it is not: its Origin names another host,
 * port or scheme, or the browser says it comes from another origin (Sec-Fetch-Site).
 */
export function crossSiteReason(h: { origin?: string; host?: string; fetchSite?: string }): string | undefined {
  if (h.origin !== undefined && h.origin !== `https://${h.host ?? ''}`) return `a dashboard session used from another origin (${h.origin})`;
  if (h.fetchSite !== undefined && h.fetchSite !== 'same-origin') return `a dashboard session used from a ${h.fetchSite} request`;
  return undefined;
}
