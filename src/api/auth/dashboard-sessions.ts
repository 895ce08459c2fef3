// Dashboard logins (issue 16): `peapod dashboard` asks the API, with the caller's own credentials, for a
// one-time login token; the page it links to trades the token for a session bound to that same user, and
// every API call the page makes is then authorized like any of that user's requests. A session is a pair:
// the page secret, which the login answered to the page's own script (the tab keeps it in its session
// storage, which no other origin can read) and which it sends in the x-peapod-dashboard header (or, on a
// WebSocket, as a subprotocol); and the browser's cookie (`__Host-peapod-session`: HttpOnly, Secure,
// SameSite=Strict, host-only), which names the browser and holds no rights alone. Cookies are not scoped
// by port: every server of the host (a pod's hostPort among them) is sent it, and one may set a cookie of
// the same name (the `__Host-` prefix keeps that from a plain-http site, but a browser may count
// http://127.0.0.1 as secure). So the cookie grants nothing alone: every value the browser sends is tried
// against the page secret (a planted one never matches; one that replaced the real cookie logs the
// browser's tabs out, and the next link logs in again). A login keeps the browser's cookie when it has one,
// so the browser's other tabs (their own sessions) stay logged in.
// Tokens and sessions live in the daemon's memory only: a restart logs every page out. Secrets are looked
// up and compared by their SHA-256, never as text.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { UserInfo } from './types.js';

export const SESSION_COOKIE = '__Host-peapod-session';
/** How long a login link works (once). */
export const LOGIN_TOKEN_TTL_MS = 5 * 60_000;
/** How long a dashboard session lasts from its login. */
export const SESSION_TTL_MS = 8 * 3600_000;
/** At most this many unexpired tokens and sessions each; past it, the oldest of anyone's goes first. */
export const MAX_ENTRIES = 1024;
/**
 * At most this many of one user's tokens, and sessions: a user's own oldest goes first (below MAX_ENTRIES,
 * which takes more than 64 users at their caps, no one evicts another's).
 */
export const MAX_TOKENS_PER_USER = 8;
export const MAX_SESSIONS_PER_USER = 16;
/** The header the page sends its session's second secret in, on every request (no other origin can). */
export const DASHBOARD_HEADER = 'x-peapod-dashboard';
/** On a WebSocket handshake the page offers its secret as a subprotocol with this prefix (the server never selects it). */
export const SECRET_PROTOCOL_PREFIX = 'dashboard.peapod.dev.';

interface Entry {
  user: UserInfo;
  expiresAt: number;
  /** A session's browser cookie (SHA-256, hex). */
  browser?: string;
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

  /**
   * Trades a login token (once) for a session: a new page secret, bound to the browser's cookie (`browser`,
   * the one it sent, kept; a new one when it sent none). Undefined when the token is unknown, used or expired.
   */
  login(token: string, browser?: string): { browser: string; pageSecret: string; user: UserInfo; expiresAt: number } | undefined {
    if (!SECRET.test(token)) return undefined;
    const key = digest(token);
    const e = this.tokens.get(key);
    this.tokens.delete(key);
    if (!e || e.expiresAt <= this.now()) return undefined;
    const cookie = browser !== undefined && SECRET.test(browser) ? browser : randomBytes(32).toString('base64url');
    const pageSecret = randomBytes(32).toString('base64url');
    const expiresAt = this.now() + SESSION_TTL_MS;
    put(this.sessions, digest(pageSecret), { user: e.user, expiresAt, browser: digest(cookie) }, this.now(), MAX_SESSIONS_PER_USER);
    return { browser: cookie, pageSecret, user: e.user, expiresAt };
  }

  /** The user of a live session: its page secret, from the browser whose cookie is among `cookies`; undefined (an expired one forgotten) otherwise. */
  userOf(cookies: string[], pageSecret: string | undefined): UserInfo | undefined {
    const key = this.sessionKey(cookies, pageSecret);
    return key === undefined ? undefined : this.sessions.get(key)!.user;
  }

  /** Ends a session (logout): the page secret's, from its own browser. */
  end(cookies: string[], pageSecret: string | undefined): void {
    const key = this.sessionKey(cookies, pageSecret);
    if (key !== undefined) this.sessions.delete(key);
  }

  private sessionKey(cookies: string[], pageSecret: string | undefined): string | undefined {
    if (pageSecret === undefined || !SECRET.test(pageSecret)) return undefined;
    const key = digest(pageSecret);
    const e = this.sessions.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= this.now()) {
      this.sessions.delete(key);
      return undefined;
    }
    const want = Buffer.from(e.browser ?? '', 'hex');
    for (const c of cookies) {
      if (!SECRET.test(c)) continue;
      const got = Buffer.from(digest(c), 'hex');
      if (want.length === got.length && timingSafeEqual(want, got)) return key;
    }
    return undefined;
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

/** Most session cookie values read from one request (each is tried against the page secret). */
export const MAX_COOKIE_VALUES = 4;

/**
 * The session cookie's values in a Cookie header, at most MAX_COOKIE_VALUES (more than one when another
 * server of the host set one of the same name, cookies not being scoped by port: each is tried).
 */
export function sessionCookies(header: string | string[] | undefined): string[] {
  const text = Array.isArray(header) ? header.join('; ') : header;
  const found: string[] = [];
  if (!text) return found;
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === SESSION_COOKIE && found.length < MAX_COOKIE_VALUES) found.push(part.slice(eq + 1).trim());
  }
  return found;
}

/**
 * The Set-Cookie of a browser's session cookie (a browser-session cookie: the server holds each session's
 * expiry), or of its removal: HTTPS only, host-only with Path=/ (what the `__Host-` prefix demands), no
 * script, never sent by a page of another site.
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
