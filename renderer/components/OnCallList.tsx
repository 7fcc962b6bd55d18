import type { OnCallNow } from '#common/index.js';
import { localTimeIn } from '../model/local-time.js';
import { peopleOnCall, type WokenPerson } from '../model/who-is-woken.js';

/** One person with their local time ("Sun 03:10 in Europe/Berlin, night there"). */
export function PersonWithTime({ person, now }: { person: WokenPerson; now: number }) {
  const t = localTimeIn(person.user.timeZone, now);
  return (
    <>
      <span className="person-name">{person.user.name ?? person.user.username}</span>{' '}
      <span className="muted">({person.policy})</span>
      <br />
      <span className={t?.night ? 'local-time night' : 'local-time'}>
        {t ? `${t.text} their time (${person.user.timeZone})${t.night ? ', night there' : ''}` : 'local time unknown'}
      </span>
    </>
  );
}

export function OnCallList({ oncall, now }: { oncall: OnCallNow | null; now: number }) {
  if (!oncall) return <p className="muted">Looking up who is on call…</p>;
  if (oncall.teams.length === 0) return <p className="muted">No on-call teams are configured.</p>;
  return (
    <ul className="oncall">
      {oncall.teams.map((t) => {
        const people = peopleOnCall(t);
        return (
          <li key={t.team.slug}>
            <span className="team-name">{t.team.name}</span>
            {people.length === 0 ? (
              <p className="warning">Nobody is on call for {t.team.name} right now.</p>
            ) : (
              <ul>
                {people.map((p) => (
                  <li key={`${p.policy}-${p.user.username}`}>
                    <PersonWithTime person={p} now={now} />
                  </li>
                ))}
              </ul>
            )}
          </li>
        );
      })}
      {oncall.stale && <li className="muted">On-call data may be out of date.</li>}
    </ul>
  );
}
