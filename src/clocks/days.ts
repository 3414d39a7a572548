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

const daysOfHours = new Map<number, string>();
/** About eleven years of hours: a bounded cache however long the process runs. */
const MAX_HOURS_KEPT = 100_000;

/**
 * The day a moment fell on in England and Wales (a review event at 00:30 BST is that day's, not
 * the day before's). The clocks ask this of every change of state of every review, and the time
 * zone's offset changes only on the hour, so each hour's day is worked out once and kept.
 */
export const dayOf = (moment: Date | string): string => {
  const ms = new Date(moment).getTime();
  const hour = Math.floor(ms / 3_600_000);
  let day = daysOfHours.get(hour);
  if (day === undefined) {
    day = londonDay.format(ms);
    if (daysOfHours.size >= MAX_HOURS_KEPT) daysOfHours.clear();
    daysOfHours.set(hour, day);
  }
  return day;
};

const epochDay = (day: string) => Date.parse(`${day}T00:00:00Z`) / DAY;
const fromEpochDay = (n: number) => new Date(n * DAY).toISOString().slice(0, 10);

/** The day `n` calendar days after `day`. */
export const addCalendarDays = (day: string, n: number) => fromEpochDay(epochDay(day) + n);

/** Day 0 of the epoch, 1 January 1970, was a Thursday: 4 in getUTCDay's numbering from Sunday. */
const isWeekend = (n: number) => {
  const weekday = (((n + 4) % 7) + 7) % 7;
  return weekday === 0 || weekday === 6;
};

/**
 * The bank holidays that fall on weekdays, as sorted epoch days: worked out once for each set of
 * holidays (the targets service keeps one set until the holidays change), so counting a span
 * looks them up rather than reading every holiday's date again.
 */
const weekdayHolidays = new WeakMap<ReadonlySet<string>, { sorted: number[]; has: Set<number> }>();
function holidaysOf(holidays: ReadonlySet<string>) {
  let kept = weekdayHolidays.get(holidays);
  if (!kept) {
    const sorted = [...holidays]
      .map(epochDay)
      .filter((n) => !isWeekend(n))
      .sort((a, b) => a - b);
    kept = { sorted, has: new Set(sorted) };
    weekdayHolidays.set(holidays, kept);
  }
  return kept;
}
/** How many of the sorted days are after `a`, up to and including `b`. */
function countBetween(sorted: number[], a: number, b: number) {
  const firstAfter = (n: number) => {
    let [lo, hi] = [0, sorted.length];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]! <= n) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return firstAfter(b) - firstAfter(a);
}

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
  return count - countBetween(holidaysOf(holidays).sorted, a, b);
}

/** The day on which `n` more days (of the unit) will have been counted after `day`. */
export function addDays(day: string, n: number, unit: DayUnit, holidays: ReadonlySet<string>): string {
  if (unit === 'days') return addCalendarDays(day, n);
  const { has } = holidaysOf(holidays);
  let at = epochDay(day);
  for (let left = n; left > 0;) if (!isWeekend(++at) && !has.has(at)) left--;
  return fromEpochDay(at);
}
