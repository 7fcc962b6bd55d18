/**
 * Someone else's local time, so the person paging sees "it's 03:10 for Carol" before waking her.
 * Unknown or invalid zones give null rather than a wrong time.
 */
export interface LocalTime {
  /** "Sun 03:10" */
  text: string;
  hour: number;
  /** Between 22:00 and 07:00 where they are. */
  night: boolean;
}

export function localTimeIn(timeZone: string | null, now: number): LocalTime | null {
  if (!timeZone) return null;
  try {
    const parts = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hour12: false,
    }).formatToParts(new Date(now));
    const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
    const hour = Number(get('hour')) % 24;
    return {
      text: `${get('weekday')} ${String(hour).padStart(2, '0')}:${get('minute')}`,
      hour,
      night: hour >= 22 || hour < 7,
    };
  } catch {
    return null;
  }
}
