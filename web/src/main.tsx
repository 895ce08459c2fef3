// The dashboard's page: a small Preact app, routed by the URL's fragment (#/, #/pods/NS/NAME/TAB, #/create,
// #/node). A `peapod dashboard` link arrives as #token=…: the token is traded for a session at once and
// taken out of the address bar and history. Without a session the page shows only how to get one.
import '@xterm/xterm/css/xterm.css';
import './style.css';
// Every view's stylesheet is imported here, by the entry: one app.css (a lazily loaded view's own CSS
// import would become a file nothing loads).
import './views/lists.css';
import './views/pod.css';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { login, logout, onLoggedOut, session } from './api.js';
import { LoginView } from './views/login.js';
import { PodsView } from './views/pods.js';
import { lazyView } from './lazy.js';
import { parseRoute } from './routes.js';

const PodView = lazyView(() => import('./views/pod.js').then((m) => m.PodView));
const CreateView = lazyView(() => import('./views/create.js').then((m) => m.CreateView));
const NodeView = lazyView(() => import('./views/node.js').then((m) => m.NodeView));

function App() {
  const [user, setUser] = useState(() => session()?.user);
  const [loginError, setLoginError] = useState<string>();
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    // A link's token, at load or pasted into an open page: out of the address bar and the history before
    // anything else (the link works once), then traded for a session.
    const takeToken = (): boolean => {
      const token = /^#token=([A-Za-z0-9_-]+)$/.exec(location.hash)?.[1];
      if (!token) return false;
      history.replaceState(null, '', `${location.pathname}#/`);
      setRoute({ view: 'pods' });
      login(token).then(
        (u) => {
          setLoginError(undefined);
          setUser(u);
        },
        (err: Error) => setLoginError(err.message),
      );
      return true;
    };
    const onHash = () => {
      if (!takeToken()) setRoute(parseRoute(location.hash));
    };
    addEventListener('hashchange', onHash);
    const off = onLoggedOut(() => setUser(undefined));
    takeToken();
    return () => {
      removeEventListener('hashchange', onHash);
      off();
    };
  }, []);
  if (user === undefined) return <LoginView error={loginError} />;
  return (
    <>
      <header class="top">
        <a class="brand" href="#/">peapod</a>
        <nav aria-label="main">
          <a href="#/" aria-current={route.view === 'pods' || route.view === 'pod' ? 'page' : undefined}>Pods</a>
          <a href="#/create" aria-current={route.view === 'create' ? 'page' : undefined}>Create</a>
          <a href="#/node" aria-current={route.view === 'node' ? 'page' : undefined}>Node</a>
        </nav>
        <span class="user" data-testid="user">{user}</span>
        <button type="button" class="link" data-testid="logout" onClick={() => void logout()}>Log out</button>
      </header>
      <main>
        {route.view === 'pods' && <PodsView />}
        {route.view === 'pod' && <PodView namespace={route.namespace} name={route.name} tab={route.tab} />}
        {route.view === 'create' && <CreateView />}
        {route.view === 'node' && <NodeView />}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
