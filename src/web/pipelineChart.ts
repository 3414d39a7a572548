/**
 * The pipeline as an inline SVG horizontal bar chart: one bar per state, its label
 * above it and its count after it. The SVG is a picture (role="img") named by its
 * <title> and described, figures and all, by its <desc>; the page shows the same
 * figures as a table for anyone who cannot see the picture.
 */

const WIDTH = 640;
const ROW = 52;
const LABEL_SIZE = 16;
const BAR_HEIGHT = 22;
const BAR_TOP = 24; // from the top of a row
const COUNT_ROOM = 64; // right of the longest bar, for its count
const PADDING = 8;

const BLUE = '#1d70b8';

/** Escapes text for XML content and attribute values. */
export function escapeXml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * A chart as an SVG picture: role="img", named by its <title> and described by its <desc>
 * (the figures in words, for anyone who cannot see it), scaling to the width it is given.
 */
export function svgPicture(
  chart: { id: string; width: number; height: number; className: string; title: string; desc: string },
  drawn: string,
): string {
  const titleId = escapeXml(`${chart.id}-title`);
  const descId = escapeXml(`${chart.id}-desc`);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="${titleId} ${descId}" ` +
    `viewBox="0 0 ${chart.width} ${chart.height}" width="100%" preserveAspectRatio="xMinYMin meet" ` +
    `font-family="inherit" fill="#0b0c0c" class="${chart.className}">` +
    `<title id="${titleId}">${escapeXml(chart.title)}</title>` +
    `<desc id="${descId}">${escapeXml(chart.desc)}</desc>` +
    drawn +
    `</svg>`
  );
}

const plural = (n: number) => (n === 1 ? '1 review' : `${n} reviews`);

export function pipelineChart(counts: { label: string; count: number }[], id = 'pipeline-chart'): string {
  const rows = counts.map((c) => ({ label: c.label, count: Number.isFinite(c.count) ? Math.max(0, c.count) : 0 }));
  const max = Math.max(0, ...rows.map((r) => r.count));
  const total = rows.reduce((sum, r) => sum + r.count, 0);
  const height = PADDING * 2 + rows.length * ROW;
  const span = WIDTH - COUNT_ROOM;

  const title = 'Reviews in each state';
  const desc =
    rows.length === 0
      ? 'No states to show.'
      : `Horizontal bar chart of ${plural(total)} by state: ${rows.map((r) => `${r.label}, ${r.count}`).join('; ')}.`;

  const bars = rows.map((r, i) => {
    const top = PADDING + i * ROW;
    const width = max === 0 ? 0 : Math.round((r.count / max) * span * 10) / 10;
    const label = escapeXml(r.label);
    return (
      `<g>` +
      `<text x="0" y="${top + LABEL_SIZE}" font-size="${LABEL_SIZE}">${label}</text>` +
      `<rect x="0" y="${top + BAR_TOP}" width="${width}" height="${BAR_HEIGHT}" fill="${BLUE}"></rect>` +
      `<text x="${width + 8}" y="${top + BAR_TOP + BAR_HEIGHT / 2}" dominant-baseline="central" ` +
      `font-size="${LABEL_SIZE}" font-weight="bold">${escapeXml(String(r.count))}</text>` +
      `</g>`
    );
  });

  return svgPicture({ id, width: WIDTH, height, className: 'app-pipeline-chart', title, desc }, bars.join(''));
}
