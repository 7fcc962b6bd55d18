// Desktop notifications (electron/shell/notifications.ts) against the recording fake of `electron`.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as fake from '#test/support/fake-electron.js';

vi.mock('electron', async () => await import('#test/support/fake-electron.js'));

beforeEach(() => fake.resetFake());

describe('notifications', () => {
  it('shows an Electron notification and calls back on click', async () => {
    const { showNotification } = await import('#electron/shell/notifications.js');
    const clicked: string[] = [];
    expect(
      showNotification(
        { title: 'New incident #7, not acknowledged', body: 'Checkout down', incidentNumber: '7' },
        (n) => clicked.push(n.incidentNumber!),
      ),
    ).toBe(true);
    const n = fake.Notification.instances[0]!;
    expect(n.options).toMatchObject({ title: 'New incident #7, not acknowledged', body: 'Checkout down' });
    n.emit('click');
    expect(clicked).toEqual(['7']);
    fake.Notification.supported = false;
    expect(showNotification({ title: 't', body: 'b' }, () => {})).toBe(false);
    fake.Notification.supported = true;
  });
});
