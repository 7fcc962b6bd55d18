/** The renderer tests' fixed clock, and the shared builders (test/support/builders.ts) set to it. */
import type { Incident, Page } from '#common/index.js';
import * as build from './builders.js';

export const T0 = Date.parse('2026-11-22T12:00:00.000Z');
export const iso = (offsetMs: number) => new Date(T0 + offsetMs).toISOString();

export const incident = (over: Partial<Incident> = {}): Incident =>
  build.incident({ number: '101', startedAt: iso(-5 * 60_000), ...over });

export const page = (over: Partial<Page> = {}): Page =>
  build.page({
    id: '6f1c2a9e-8d4b-4c1e-9a7f-2b3c4d5e6f70',
    summary: 'Login broken for everyone',
    client: 'web',
    createdAt: iso(-60_000),
    updatedAt: iso(-60_000),
    ...over,
  });
