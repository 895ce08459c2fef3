// A view whose code loads when it is first shown (its own chunk of the bundle): the first render of the
// pods list waits neither for the terminal (xterm.js) nor for the YAML parser.
import type { ComponentType, JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';

export function lazyView<P extends object>(load: () => Promise<ComponentType<P>>): (props: P) => JSX.Element {
  let loaded: ComponentType<P> | undefined;
  return function Lazy(props: P) {
    const [View, setView] = useState<ComponentType<P> | undefined>(() => loaded);
    const [error, setError] = useState<string>();
    useEffect(() => {
      if (View) return;
      let live = true;
      load().then(
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
    if (error) return <p class="error" role="alert">This view could not load: {error}. Reload the page.</p>;
    if (!View) return <p aria-busy="true">Loading…</p>;
    return <View {...props} />;
  };
}
