import { createContext, useContext } from 'react';
import type { KlaxonApi } from '../api/klaxon-api.js';

export const ApiContext = createContext<KlaxonApi | null>(null);

export function useApi(): KlaxonApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error('ApiContext missing');
  return api;
}
