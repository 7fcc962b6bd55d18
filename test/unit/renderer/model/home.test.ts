import { describe, expect, it } from 'vitest';
import { pageGroupsText, recentWindowMinutes } from '#renderer/model/home.js';

describe('home screen', () => {
  it("shows the snapshot's window of incidents, else the server's setting, else an hour", () => {
    expect(recentWindowMinutes({ snapshot: { windowMinutes: 30 }, config: { recentWindowMinutes: 90 } })).toBe(30);
    expect(recentWindowMinutes({ snapshot: null, config: { recentWindowMinutes: 90 } })).toBe(90);
    expect(recentWindowMinutes({ snapshot: null, config: null })).toBe(60);
  });

  it('names the groups that may page to someone who may only look', () => {
    expect(pageGroupsText({ groups: { page: ['staff', 'sre'], acknowledge: ['sre'] } })).toBe('staff or sre');
    expect(pageGroupsText(null)).toBe('');
  });
});
