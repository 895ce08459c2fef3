// WWW-Authenticate challenges as registries send them (RFC 7235 syntax): `Basic realm="x"` from a plain
// docker-registry with htpasswd, `Bearer realm="https://auth.docker.io/token",service="registry.docker.io",
// scope="repository:library/nginx:pull"` from Docker Hub, GHCR, Harbor and Quay. Pure: no I/O.

export interface Challenge {
  /** Lower-cased scheme: "basic", "bearer", … */
  scheme: string;
  /** Parameters with lower-cased names; values unquoted and unescaped. */
  params: Record<string, string>;
}

/** Parses every challenge in one or more WWW-Authenticate header values. Malformed parts are skipped. */
export function parseChallenges(headers: string | string[] | undefined): Challenge[] {
  const values = headers === undefined ? [] : Array.isArray(headers) ? headers : [headers];
  const out: Challenge[] = [];
  for (const v of values) out.push(...parseOne(v));
  return out;
}

function parseOne(s: string): Challenge[] {
  const out: Challenge[] = [];
  let i = 0;
  const n = s.length;
  const skipWs = () => {
    while (i < n && (s[i] === ' ' || s[i] === '\t')) i++;
  };
  const token = () => {
    const start = i;
    while (i < n && /[!#$%&'*+\-.^_`|~0-9A-Za-z]/.test(s[i]!)) i++;
    return s.slice(start, i);
  };
  let current: Challenge | undefined;
  while (i < n) {
    skipWs();
    if (s[i] === ',') {
      i++;
      continue;
    }
    const word = token();
    if (!word) {
      i++; // an unexpected character: skip it
      continue;
    }
    skipWs();
    if (s[i] === '=' && current) {
      i++;
      skipWs();
      let value = '';
      if (s[i] === '"') {
        i++;
        while (i < n && s[i] !== '"') {
          if (s[i] === '\\' && i + 1 < n) i++;
          value += s[i];
          i++;
        }
        i++; // closing quote
      } else {
        value = token();
      }
      current.params[word.toLowerCase()] = value;
      continue;
    }
    // A new scheme (a token not followed by "=").
    current = { scheme: word.toLowerCase(), params: {} };
    out.push(current);
  }
  return out;
}

/** The scope a pull asks a token server for: "repository:<path>:pull". */
export function pullScope(repoPath: string): string {
  return `repository:${repoPath}:pull`;
}

/**
 * The token request URL for a bearer challenge: the realm with `service` and the scope(s) added as
 * query parameters (the challenge's own scope first, as Docker Hub expects, then ours when different).
 */
export function tokenUrl(ch: Challenge, scope: string): URL {
  const realm = ch.params.realm;
  if (!realm) throw new Error('bearer challenge without a realm');
  const url = new URL(realm);
  if (ch.params.service) url.searchParams.set('service', ch.params.service);
  const scopes = new Set<string>();
  if (ch.params.scope) for (const s of ch.params.scope.split(' ')) if (s) scopes.add(s);
  scopes.add(scope);
  for (const s of scopes) url.searchParams.append('scope', s);
  return url;
}
