// Where a probe or a hook's httpGet / tcpSocket / grpc lands: the host (the handler's, else the pod
// IP) and the port (a number, a numeric string, or the name of one of the container's ports), as the
// kubelet resolves them.

import type { Container, HTTPGetAction } from '../../k8s/types.js';

export class PortResolveError extends Error {}

export function resolvePort(port: number | string | undefined, container: Container): number {
  if (typeof port === 'number') return port;
  if (port === undefined || port === '') throw new PortResolveError('missing port');
  if (/^\d+$/.test(port)) return Number(port);
  const named = (container.ports ?? []).find((p) => p.name === port);
  if (!named) throw new PortResolveError(`couldn't find port: ${port} in ${container.name}`);
  return named.containerPort;
}

/** The URL of an httpGet action (scheme, host, port, path as given, query kept). */
export function httpGetUrl(action: HTTPGetAction, host: string, port: number): URL {
  const scheme = (action.scheme ?? 'HTTP').toLowerCase();
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  let path = action.path ?? '/';
  if (!path.startsWith('/')) path = `/${path}`;
  return new URL(`${scheme}://${h}:${port}${path}`);
}
