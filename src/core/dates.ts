const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** How letters write a date: "6 September 2023" (GOV.UK style) or "6th September 2023" (as some panel letters do). */
export const DATE_STYLES = ['plain', 'ordinal'] as const;
export type DateStyle = (typeof DATE_STYLES)[number];

/** "1st", "2nd", "3rd", "4th" … "11th", "12th", "13th" … "21st", "22nd", "23rd", "31st". */
function ordinal(day: number): string {
  const teen = day % 100 >= 11 && day % 100 <= 13;
  const suffix = teen ? 'th' : (['th', 'st', 'nd', 'rd'][day % 10] ?? 'th');
  return `${day}${suffix}`;
}

/** "2019-11-20" → "20 November 2019" (or "20th November 2019" in the ordinal style). */
export function longDate(iso: string, style: DateStyle = 'plain'): string {
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number);
  return `${style === 'ordinal' ? ordinal(d!) : d} ${MONTHS[m! - 1]} ${y}`;
}
