import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api';

export interface Polled<T> {
  data: T | null;
  error: ApiError | null;
  loading: boolean;
  /** Loads again now (after an action), keeping the shown data until the answer comes. */
  reload: () => void;
}

/**
 * Loads `load()` now, again whenever `key` changes, and every `everyMs` while `everyMs` is set.
 * An answer to an older key is dropped, so a slow reply never overwrites a newer choice.
 */
export function usePoll<T>(load: () => Promise<T>, key: string, everyMs: number | null): Polled<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const generation = useRef(0);
  const loader = useRef(load);
  loader.current = load;

  useEffect(() => {
    const mine = ++generation.current;
    setLoading(true);
    loader
      .current()
      .then((value) => {
        if (mine !== generation.current) return;
        setData(value);
        setError(null);
      })
      .catch((caught: unknown) => {
        if (mine !== generation.current) return;
        setError(caught instanceof ApiError ? caught : new ApiError(0, 'NETWORK', caught instanceof Error ? caught.message : String(caught)));
      })
      .finally(() => {
        if (mine === generation.current) setLoading(false);
      });
  }, [key, tick]);

  useEffect(() => {
    if (!everyMs) return;
    const timer = setInterval(() => setTick((n) => n + 1), everyMs);
    return () => clearInterval(timer);
  }, [key, everyMs]);

  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data, error, loading, reload };
}
