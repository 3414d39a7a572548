import { PAUSE_CATEGORIES, type ClockStatus, type PauseCategory, type StageClock } from '../clocks/stages';
import { longDate } from '../core/dates';
import type { DayUnit } from '../clocks/days';

/** How each status reads, and the colour of its tag. */
const STATUS: Record<ClockStatus, { text: string; colour: string }> = {
  on_track: { text: 'On track', colour: 'blue' },
  due_soon: { text: 'Due soon', colour: 'yellow' },
  overdue: { text: 'Overdue', colour: 'red' },
  paused: { text: 'On hold', colour: 'grey' },
  stopped: { text: 'Stopped', colour: 'grey' },
  met: { text: 'Met', colour: 'green' },
  missed: { text: 'Missed', colour: 'orange' },
};

/** A unit as the pages write it: "working days", "days". */
export const unitName = (unit: DayUnit) => (unit === 'working_days' ? 'working days' : 'days');

/** A number of days in its unit: "1 working day", "15 working days", "28 days". */
export const count = (n: number, unit: DayUnit) => `${n} ${n === 1 ? unitName(unit).slice(0, -1) : unitName(unit)}`;

/** A review's stage clocks as the rows of its page's table, in words. */
export function clockRows(
  clocks: (StageClock & { name: string })[],
): { stage: string; began: string; end: string; taken: string; target: string; status: string; colour: string }[] {
  const rounds = new Set(clocks.map((c) => c.round).filter((r) => r !== null)).size;
  return clocks.map((c) => {
    const over = c.elapsed - c.target.days;
    const end =
      c.endedOn !== null
        ? longDate(c.endedOn)
        : c.status === 'paused'
          ? `Paused${c.pausedFor ? `: ${PAUSE_CATEGORIES[c.pausedFor as PauseCategory]}` : ''}`
          : c.status === 'stopped'
            ? 'Stopped: the review was withdrawn'
            : c.status === 'overdue'
              ? `${count(over, c.target.unit)} over`
              : `Due by ${longDate(c.dueOn!)}`;
    return {
      stage: rounds > 1 && c.round !== null ? `${c.name}, round ${c.round}` : c.name,
      began: longDate(c.startedOn),
      end,
      taken: `${count(c.elapsed, c.target.unit)}${c.pausedDays ? ` (${count(c.pausedDays, c.target.unit)} on hold not counted)` : ''}`,
      target: count(c.target.days, c.target.unit),
      status: STATUS[c.status].text,
      colour: STATUS[c.status].colour,
    };
  });
}
