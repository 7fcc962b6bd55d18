/** What both stores keep of the chat announcement queue, and say of an announcement left half-sent. */

/** Sent and failed announcements are kept a week (for the failed count and for ignoring repeats). */
export const ANNOUNCEMENT_RETENTION_MS = 7 * 24 * 3600_000;
/** Said of an announcement whose sender stopped between starting to send and recording the outcome. */
export const ANNOUNCEMENT_OUTCOME_UNKNOWN =
  'outcome unknown: the sender stopped after it started sending; not sent again, so it is never posted twice';
