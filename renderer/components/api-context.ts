import { createContext, useContext } from 'react';
import type { KlaxonApi } from '../api/klaxon-api.js';

/**
 * The one way a component reaches the API: `main.tsx` provides the shell's adapter here, and every
 * component or hook that talks to the desktop core or the server calls `useApi()`.
 */
export const ApiContext = createContext<KlaxonApi | null>(null);

export function useApi(): KlaxonApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error('ApiContext missing: render the app inside <ApiContext value={api}> (see main.tsx)');
  return api;
}
