// Over HTTPS the session cookie is `__Host-` prefixed (Secure, Path=/, no Domain), so a sibling
// subdomain cannot plant or overwrite it; over plain HTTP (development) it keeps its plain name.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSessions } from '#server/auth/web-session.js';
import { SqliteStore } from '#server/store/sqlite-store.js';

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function appWith(secure: boolean): Promise<FastifyInstance> {
  const dir = mkdtempSync(path.join(tmpdir(), 'klaxon-cookie-'));
  const store = new SqliteStore(path.join(dir, 'klaxon.db'));
  const sessions = new WebSessions(store, secure);
  const app = Fastify();
  await app.register(fastifyCookie, { secret: 'cookie-test-secret-0123456789abcdef' });
  app.post('/login', async (_req, reply) => {
    const s = await sessions.create({
      sub: 'alice',
      name: 'Alice Andersen',
      email: null,
      groups: ['sre'],
      username: 'alice',
      accessExpiresAt: new Date(Date.now() + 60_000),
      refreshToken: null,
    });
    sessions.setCookie(reply, s);
    return reply.send({ ok: true });
  });
  app.get('/who', async (req) => {
    const s = await sessions.fromRequest(req);
    return { who: s && s !== 'invalid' ? s.sub : s };
  });
  cleanup.push(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return app;
}

const cookiePair = (setCookie: string) => setCookie.split(';')[0]!;

describe('session cookie name', () => {
  it('is __Host-klaxon_session with Secure and Path=/ when cookies are secure', async () => {
    const app = await appWith(true);
    const res = await app.inject({ method: 'POST', url: '/login' });
    const set = res.headers['set-cookie'] as string;
    expect(set).toMatch(/^__Host-klaxon_session=/);
    expect(set).toMatch(/; Secure/);
    expect(set).toMatch(/; Path=\//);
    expect(set).not.toMatch(/Domain=/i);
    expect((await app.inject({ url: '/who', headers: { cookie: cookiePair(set) } })).json()).toEqual({ who: 'alice' });
    // The unprefixed name (which any subdomain could set) is not read.
    const plain = cookiePair(set).replace(/^__Host-/, '');
    expect((await app.inject({ url: '/who', headers: { cookie: plain } })).json()).toEqual({ who: null });
  });

  it('stays klaxon_session over plain HTTP (development)', async () => {
    const app = await appWith(false);
    const set = (await app.inject({ method: 'POST', url: '/login' })).headers['set-cookie'] as string;
    expect(set).toMatch(/^klaxon_session=/);
    expect(set).not.toMatch(/Secure/);
  });
});
