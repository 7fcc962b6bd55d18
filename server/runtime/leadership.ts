/**
 * Whether singleton work (the escalator) runs in this process. With one server it always does; when
 * several replicas run, a leader election decides and exactly one answers true. Even so, work that
 * must never happen twice (an escalation) is also claimed in the shared store, so a brief overlap of
 * two leaders cannot double it.
 */
export interface Leadership {
  runsHere(): boolean;
}

/** One server process: it is always the leader. */
export const singleProcess: Leadership = { runsHere: () => true };
