// invokeIpc (electron/ipc.ts): no handler runs for an unknown channel or a payload its schema refuses;
// a handler gets the parsed payload; a handler that throws becomes a failure a person can read.
import { describe, expect, it } from 'vitest';
import { ok } from '#common/index.js';
import { invokeIpc, type IpcHandlers } from '#electron/ipc.js';

const recordingHandlers = () => {
  const seen: unknown[] = [];
  const handlers = new Proxy({} as IpcHandlers, {
    get: (_t, channel) => async (payload: unknown) => {
      seen.push({ channel, payload });
      if (channel === 'window:hide') throw new Error('the window is gone');
      return ok(null);
    },
  });
  return { handlers, seen };
};

describe('invokeIpc', () => {
  it('refuses unknown channels and invalid payloads before any handler runs', async () => {
    const { handlers, seen } = recordingHandlers();
    expect(await invokeIpc(handlers, 'toString' as never, undefined, () => {})).toMatchObject({
      ok: false,
      error: { code: 'invalid_request', field: 'channel' },
    });
    expect(
      await invokeIpc(handlers, 'pages:create', { summary: '', idempotencyKey: 'key-1234567890abcdef' }, () => {}),
    ).toMatchObject({ ok: false, error: { code: 'invalid_request', field: 'summary' } });
    expect(await invokeIpc(handlers, 'state:get', { sneaky: true }, () => {})).toMatchObject({
      ok: false,
      error: { code: 'invalid_request' },
    });
    expect(seen).toEqual([]);
  });

  it("hands the handler the payload as the channel's schema parsed it", async () => {
    const { handlers, seen } = recordingHandlers();
    await invokeIpc(
      handlers,
      'pages:create',
      { summary: 'Checkout down', idempotencyKey: 'key-1234567890abcdef' },
      () => {},
    );
    expect(seen).toEqual([
      {
        channel: 'pages:create',
        payload: { summary: 'Checkout down', details: '', idempotencyKey: 'key-1234567890abcdef' },
      },
    ]);
  });

  it('turns a thrown error into an internal failure and logs it', async () => {
    const { handlers } = recordingHandlers();
    const logged: string[] = [];
    expect(await invokeIpc(handlers, 'window:hide', undefined, (m) => logged.push(m))).toEqual({
      ok: false,
      error: {
        code: 'internal',
        message:
          'Something went wrong in Klaxon (the window is gone). Try again; if it keeps happening, restart Klaxon.',
      },
    });
    expect(logged).toEqual(['window:hide failed: the window is gone']);
  });
});
