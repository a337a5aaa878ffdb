import { useCallback, useEffect, useState } from "preact/hooks";

export interface Polled<T> {
  data: T | null;
  error: Error | null;
  reload: () => void;
}

/** Loads `load()` now, again every `everyMs` and on `reload()`; `deps` change → load afresh. */
export function usePoll<T>(load: () => Promise<T>, everyMs: number, deps: unknown[]): Polled<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  // `load` is a new closure each render, so it is not a dependency: `deps` name what it reads.
  useEffect(() => {
    let live = true;
    load().then(
      (d) => {
        if (!live) return;
        setData(d);
        setError(null);
      },
      (err: Error) => live && setError(err),
    );
    const timer = setInterval(reload, everyMs);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [tick, everyMs, ...deps]);
  return { data, error, reload };
}
