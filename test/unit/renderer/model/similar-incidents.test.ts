import { describe, expect, it } from 'vitest';
import {
  contentTokens,
  findSimilarIncidents,
  similarIncidentStatus,
  similarity,
} from '#renderer/model/similar-incidents.js';
import { incident } from '#test/support/renderer-fixtures.js';

const open = [
  incident({ number: '1', title: 'Checkout latency above SLO' }),
  incident({ number: '2', title: 'Elevated 5xx on edge cache', phase: 'ACKED', ackedBy: 'dmitri' }),
  incident({ number: '3', title: 'Database replication lag', phase: 'RESOLVED' }),
];

describe('similar incidents', () => {
  it('drops stop words and folds plurals so "errors" meets "error"', () => {
    expect([...contentTokens('The site is DOWN with errors!')]).toEqual(['site', 'error']);
  });

  it('matches a summary that shares the key words of an open title', () => {
    const m = findSimilarIncidents('checkout is really slow, latency huge', open);
    expect(m.map((x) => x.incident.number)).toEqual(['1']);
  });

  it('one distinctive shared word in a short summary is enough', () => {
    expect(findSimilarIncidents('checkout is slow for everyone', open).map((x) => x.incident.number)).toEqual(['1']);
  });

  it('generic words alone (users, failing, broken) do not make a match', () => {
    expect(
      findSimilarIncidents('users failing, everything broken', [incident({ title: 'Login failing for users' })]),
    ).toEqual([]);
  });

  it('matches on error codes and place names', () => {
    expect(findSimilarIncidents('lots of 5xx from the edge', open).map((x) => x.incident.number)).toEqual(['2']);
  });

  it('ignores resolved incidents even when the words match', () => {
    expect(findSimilarIncidents('database replication lag', open)).toEqual([]);
  });

  it('shows nothing for unrelated or empty summaries', () => {
    expect(findSimilarIncidents('wiki editing shows a blank page', open)).toEqual([]);
    expect(findSimilarIncidents('   ', open)).toEqual([]);
    expect(findSimilarIncidents('the is a', open)).toEqual([]);
  });

  it('scores by the shorter text so a short summary can match a long title', () => {
    expect(similarity('checkout latency', 'Checkout latency above SLO in eu-west')).toBe(1);
    expect(similarity('checkout', 'payments down')).toBe(0);
  });

  it('ranks the best match first and caps the list', () => {
    const many = Array.from({ length: 6 }, (_, k) =>
      incident({ number: String(10 + k), title: k === 4 ? 'edge cache 5xx errors' : `edge node ${k} flapping` }),
    );
    const m = findSimilarIncidents('edge cache errors', many);
    expect(m[0]?.incident.number).toBe('14');
    expect(m.length).toBeLessThanOrEqual(3);
  });
});

describe('how a similar incident stands', () => {
  it('names who acknowledged it, or says SRE is being paged', () => {
    expect(similarIncidentStatus({ phase: 'ACKED', ackedBy: 'dmitri' })).toBe('acknowledged by dmitri');
    expect(similarIncidentStatus({ phase: 'ACKED', ackedBy: 'dmitri', ackedByName: 'Dmitri Volkov' })).toBe(
      'acknowledged by Dmitri Volkov',
    );
    expect(similarIncidentStatus({ phase: 'ACKED', ackedBy: null })).toBe('acknowledged');
    expect(similarIncidentStatus({ phase: 'UNACKED', ackedBy: null })).toBe('not acknowledged yet, SRE is being paged');
  });
});
