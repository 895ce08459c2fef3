// A view whose code loads when it is first shown (its own chunk of the bundle): the first render of the
// pods list waits neither for the terminal (xterm.js) nor for the YAML parser.
import type { ComponentType, JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';

/**
 * The pauses before the second and third try of a chunk's import: Chromium fails a load in flight with
 * net::ERR_NETWORK_CHANGED when the host's interfaces change (every pod start and stop on a peapod node).
 * Some browsers keep a failed import() of a URL in their module map and fail it again at once; then only a
 * reload helps, which the error's Retry button does.
 */
const RETRY_DELAYS_MS = [300, 1000];

async function loadWithRetries<T>(load: () => Promise<T>, live: () => boolean): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await load();
    } catch (err) {
      const delay = RETRY_DELAYS_MS[attempt];
      if (delay === undefined || !live()) throw err;
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

export function lazyView<P extends object>(load: () => Promise<ComponentType<P>>): (props: P) => JSX.Element {
  let loaded: ComponentType<P> | undefined;
  return function Lazy(props: P) {
    const [View, setView] = useState<ComponentType<P> | undefined>(() => loaded);
    const [error, setError] = useState<string>();
    useEffect(() => {
      if (View) return;
      let live = true;
      loadWithRetries(load, () => live).then(
        (v) => {
          loaded = v;
          if (live) setView(() => v);
        },
        (err: Error) => live && setError(err.message),
      );
      return () => {
        live = false;
      };
    }, []);
    if (error)
      return (
        <div class="error" role="alert">
          <p>This view could not load: {error}</p>
          <button type="button" onClick={() => location.reload()}>
            Retry
          </button>
        </div>
      );
    if (!View) return <p aria-busy="true">Loading…</p>;
    return <View {...props} />;
  };
}
