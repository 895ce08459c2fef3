// The page's routes, in the URL's fragment: #/ (pods), #/pods/NS/NAME/TAB, #/create, #/node.

export type Route =
  | { view: 'pods' }
  | { view: 'pod'; namespace: string; name: string; tab: string }
  | { view: 'create' }
  | { view: 'node' };

export function parseRoute(hash: string): Route {
  let parts: string[];
  try {
    parts = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  } catch {
    // A malformed escape (e.g. #/pods/default/100%ZZ): URIError. The pods list, not a blank page.
    return { view: 'pods' };
  }
  if (parts[0] === 'pods' && parts[1] && parts[2]) return { view: 'pod', namespace: parts[1], name: parts[2], tab: parts[3] || 'anatomy' };
  if (parts[0] === 'create') return { view: 'create' };
  if (parts[0] === 'node') return { view: 'node' };
  return { view: 'pods' };
}

export const podHref = (ns: string, name: string, tab?: string) => `#/pods/${encodeURIComponent(ns)}/${encodeURIComponent(name)}${tab ? `/${tab}` : ''}`;
