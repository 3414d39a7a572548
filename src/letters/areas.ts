/**
 * The panel's areas as a letter lists them. One rule for every page, letter and
 * email: areas without a heading are numbered 1, 2, 3; areas that share a heading
 * are one number with a letter each beneath it (2a, 2b).
 */

export interface AreaItem {
  heading: string | null;
  text: string;
  /** The points of an area that is a lead-in and points ("The panel felt:" then bullets). */
  points: string[];
}

export type AreaGroup = { heading: null; items: [AreaItem] } | { heading: string; items: AreaItem[] };

/** Consecutive areas under the same heading become one group; every other area is a group of its own. */
export function groupAreas<T extends AreaItem>(items: T[]): { heading: string | null; items: T[] }[] {
  const groups: { heading: string | null; items: T[] }[] = [];
  for (const item of items) {
    const last = groups[groups.length - 1];
    if (item.heading && last && last.heading === item.heading) last.items.push(item);
    else groups.push({ heading: item.heading || null, items: [item] });
  }
  return groups;
}

/** Each area's label, in order: "1", "2a", "2b", "3". */
export function areaLabels(items: AreaItem[]): string[] {
  return groupAreas(items).flatMap((group, n) =>
    group.heading === null
      ? [String(n + 1)]
      : group.items.map((_, i) => `${n + 1}${i < 26 ? String.fromCharCode(97 + i) : `(${i + 1})`}`),
  );
}
