import { describe, expect, it } from 'vitest';
import type { AppInfo } from '#common/index.js';
import { describeAppFooter } from '#renderer/model/app-footer.js';
import { T0, iso } from '#test/support/renderer-fixtures.js';

const app = (updates: Partial<AppInfo['updates']> = {}): AppInfo => ({
  version: '0.1.0',
  updates: { enabled: true, lastCheckedAt: iso(-5 * 60_000), message: null, ...updates },
});

describe('app footer wording', () => {
  it('names the version and when updates were last checked', () => {
    expect(describeAppFooter(app(), T0)).toBe('Klaxon 0.1.0 · checked for updates 5 min ago');
  });

  it('adds the updater message (e.g. an update waiting for a restart)', () => {
    expect(describeAppFooter(app({ message: 'Klaxon 0.2.0 is ready: restart to install it.' }), T0)).toBe(
      'Klaxon 0.1.0 · checked for updates 5 min ago · Klaxon 0.2.0 is ready: restart to install it.',
    );
  });

  it('says when updates have not been checked yet', () => {
    expect(describeAppFooter(app({ lastCheckedAt: null }), T0)).toBe('Klaxon 0.1.0 · not checked for updates yet');
  });

  it('gives the reason instead of a check time when updates are off', () => {
    expect(describeAppFooter(app({ enabled: false, message: 'Updates are managed by your IT department.' }), T0)).toBe(
      'Klaxon 0.1.0 · Updates are managed by your IT department.',
    );
    expect(describeAppFooter(app({ enabled: false, message: null }), T0)).toBe(
      'Klaxon 0.1.0 · Automatic updates are off.',
    );
  });

  it('is hidden without app info (the web UI)', () => {
    expect(describeAppFooter(null, T0)).toBeNull();
    expect(describeAppFooter(undefined, T0)).toBeNull();
  });
});
