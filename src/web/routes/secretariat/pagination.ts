/**
 * The GOV.UK pagination component's model: previous and next links and the page
 * numbers, with the first, the last and the pages either side of the current one
 * shown and the gaps as ellipses. Links keep the filters: `href(page)` builds them.
 */
export interface Pagination {
  previous: string | null;
  next: string | null;
  items: ({ number: number; href: string; current: boolean } | { ellipsis: true })[];
}

export function paginate(page: number, pages: number, href: (page: number) => string): Pagination | null {
  if (pages <= 1) return null;
  const shown = [...new Set([1, page - 1, page, page + 1, pages])].filter((p) => p >= 1 && p <= pages);
  shown.sort((a, b) => a - b);
  const items: Pagination['items'] = [];
  shown.forEach((p, i) => {
    if (i > 0 && p - shown[i - 1]! > 1) items.push({ ellipsis: true });
    items.push({ number: p, href: href(p), current: p === page });
  });
  return {
    previous: page > 1 ? href(page - 1) : null,
    next: page < pages ? href(page + 1) : null,
    items,
  };
}
