import { useEffect, useState } from 'preact/hooks';
import type { PanelState, PanelStore } from '../store.ts';

/** Re-renders the component whenever the store changes. */
export function useStoreState(store: PanelStore): PanelState {
  const [state, setState] = useState(store.getState());
  useEffect(() => {
    setState(store.getState());
    return store.subscribe(setState);
  }, [store]);
  return state;
}

/**
 * Runs `fn` when the page is next idle (a timer where requestIdleCallback is missing: jsdom);
 * returns the cancel function.
 */
export function whenIdle(fn: () => void): () => void {
  if (typeof requestIdleCallback === 'function') {
    const id = requestIdleCallback(fn);
    return () => cancelIdleCallback(id);
  }
  const id = setTimeout(fn, 0);
  return () => clearTimeout(id);
}

/**
 * `useMemo` computed after the frame that shows the new inputs, not before it: the value of the
 * last computation (`initial` at first) until the page is next idle, then the new one. For
 * derived values nothing on the first screen needs, so a large import paints its rows without
 * waiting for them (the origin filter's options over 10,000 entries were ≈ 20 ms of the first
 * frame: docs/bench.md, "After the panel changes of issue 6").
 */
export function useIdleMemo<T>(compute: () => T, deps: readonly unknown[], initial: T): T {
  const [value, setValue] = useState<T>(initial);
  // The caller's deps, as with useMemo; the cleanup cancels a computation the next inputs replace.
  useEffect(() => whenIdle(() => setValue(compute())), deps);
  return value;
}
