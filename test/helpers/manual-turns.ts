/** A hand-driven event loop: `nextTurn` schedules for the next turn, `turn()` runs what was scheduled. */
export function manualTurns(): { nextTurn: (fn: () => void) => void; turn: () => void; scheduled: () => number } {
  let pending: (() => void)[] = [];
  return {
    nextTurn: (fn) => void pending.push(fn),
    turn: () => {
      const now = pending;
      pending = [];
      for (const fn of now) fn();
    },
    scheduled: () => pending.length,
  };
}
