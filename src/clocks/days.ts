/**
 * Counting days for the stage clocks: calendar days, or working days (Monday to Friday, bank
 * holidays out). Days are YYYY-MM-DD text, as the DATE columns give them, and moments are
 * taken on the day they fell in England and Wales.
 */

export type DayUnit = 'days' | 'working_days';
export const DAY_UNITS: readonly DayUnit[] = ['days', 'working_days'];

const DAY = 86_400_000;
const londonDay = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The day a moment fell on in England and Wales (a review event at 00:30 BST is that day's, not the day before's). */
export const dayOf = (moment: Date | string): string => londonDay.format(new Date(moment));

const epochDay = (day: string) => Date.parse(`${day}T00:00:00Z`) / DAY;
const fromEpochDay = (n: number) => new Date(n * DAY).toISOString().slice(0, 10);

/** The day `n` calendar days after `day`. */
export const addCalendarDays = (day: string, n: number) => fromEpochDay(epochDay(day) + n);

const isWeekend = (n: number) => [0, 6].includes(new Date(n * DAY).getUTCDay());
const isWorkingDay = (n: number, holidays: ReadonlySet<string>) => !isWeekend(n) && !holidays.has(fromEpochDay(n));

/**
 * The days counted from `from` to `to`: those after `from` up to and including `to`, so a letter
 * sent the day after its meeting took one day. Nothing when `to` is not after `from`. Whole weeks
 * are counted at once, so a span of centuries (a mistyped date) costs no more than one of days.
 */
export function countDays(from: string, to: string, unit: DayUnit, holidays: ReadonlySet<string>): number {
  const [a, b] = [epochDay(from), epochDay(to)];
  if (b <= a) return 0;
  if (unit === 'days') return b - a;
  const weeks = Math.floor((b - a) / 7);
  let count = weeks * 5;
  for (let n = a + 1 + weeks * 7; n <= b; n++) if (!isWeekend(n)) count++;
  for (const day of holidays) {
    const n = epochDay(day);
    if (n > a && n <= b && !isWeekend(n)) count--;
  }
  return count;
}

/** The day on which `n` more days (of the unit) will have been counted after `day`. */
export function addDays(day: string, n: number, unit: DayUnit, holidays: ReadonlySet<string>): string {
  if (unit === 'days') return addCalendarDays(day, n);
  let at = epochDay(day);
  for (let left = n; left > 0;) if (isWorkingDay(++at, holidays)) left--;
  return fromEpochDay(at);
}
