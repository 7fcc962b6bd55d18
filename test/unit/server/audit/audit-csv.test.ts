import { describe, expect, it } from 'vitest';
import { auditCsv, csvCell } from '#server/audit/audit-csv.js';

describe('csvCell', () => {
  it('prefixes a cell a spreadsheet would run as a formula with an apostrophe', () => {
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('+491701234')).toBe("'+491701234");
    expect(csvCell('-2')).toBe("'-2");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tcmd')).toBe("'\tcmd");
    expect(csvCell('\r=cmd')).toBe(`"'\r=cmd"`);
  });

  it('leaves ordinary text alone and quotes commas, quotes and line breaks', () => {
    expect(csvCell('Alice Andersen')).toBe('Alice Andersen');
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell('Smith, Jo')).toBe('"Smith, Jo"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('=A1,"x"')).toBe(`"'=A1,""x"""`);
  });
});

describe('auditCsv', () => {
  it('writes a header and one CRLF line per entry; server actions have empty actor cells', () => {
    const csv = auditCsv([
      {
        id: '2',
        at: '2026-01-02T03:04:05.000Z',
        actor: null,
        groups: null,
        action: 'page.delivered',
        pageId: 'p1',
        detail: { attempts: 1 },
      },
      {
        id: '1',
        at: '2026-01-02T03:04:00.000Z',
        actor: { sub: 'bob', name: '-bob' },
        groups: ['staff', 'sre'],
        action: 'page.accepted',
        pageId: 'p1',
        detail: {},
      },
    ]);
    expect(csv).toBe(
      'id,at,actor_sub,actor_name,groups,action,page_id,detail\r\n' +
        '2,2026-01-02T03:04:05.000Z,,,,page.delivered,p1,"{""attempts"":1}"\r\n' +
        "1,2026-01-02T03:04:00.000Z,bob,'-bob,staff sre,page.accepted,p1,{}\r\n",
    );
  });
});
