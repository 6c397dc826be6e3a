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
