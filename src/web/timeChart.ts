import { escapeXml, svgPicture } from './pipelineChart';

/**
 * How long one stage took, quarter by quarter, as an inline SVG: for each quarter its label,
 * a bar for the median and a thinner one below it for the 90th percentile, each with its
 * figure, and the target as a dashed line across them. Like the pipeline chart it is a
 * picture (role="img") named by its <title> and described, every figure, by its <desc>; the
 * page shows the same figures as a table.
 */

const WIDTH = 640;
const ROW = 72;
const LABEL_SIZE = 16;
const MEDIAN_TOP = 24;
const MEDIAN_HEIGHT = 20;
const P90_TOP = 48;
const P90_HEIGHT = 10;
const FIGURE_ROOM = 64;
const PADDING = 8;
const LEGEND = 28;

const BLUE = '#1d70b8';
const GREY = '#505a5f';
const BLACK = '#0b0c0c';

export interface QuarterTimes {
  label: string;
  median: number | null;
  p90: number | null;
}

export function timeChart(
  quarters: readonly QuarterTimes[],
  what: { stage: string; unit: string; target: number },
  id = 'time-chart',
): string {
  // Oldest first, as time reads left to right and top to bottom.
  const rows = [...quarters].reverse().filter((q) => q.median !== null && q.p90 !== null);
  const max = Math.max(what.target, ...rows.map((q) => q.p90!));
  const span = WIDTH - FIGURE_ROOM;
  const x = (n: number) => Math.round((n / max) * span * 10) / 10;
  const height = LEGEND + PADDING * 2 + rows.length * ROW;
  const round = (n: number) => String(Math.round(n * 10) / 10);
  const title = `${what.stage}: median and 90th percentile by quarter, in ${what.unit}`;
  const desc =
    rows.length === 0
      ? 'No quarter to show.'
      : `Bar chart of the time taken, in ${what.unit}, against a target of ${what.target}: ` +
        rows.map((q) => `${q.label}, median ${round(q.median!)}, 90th percentile ${round(q.p90!)}`).join('; ') +
        '.';

  const legend =
    `<rect x="0" y="4" width="16" height="16" fill="${BLUE}"></rect>` +
    `<text x="22" y="17" font-size="14">Median</text>` +
    `<rect x="92" y="8" width="16" height="8" fill="${GREY}"></rect>` +
    `<text x="114" y="17" font-size="14">90th percentile</text>` +
    `<line x1="250" y1="12" x2="274" y2="12" stroke="${BLACK}" stroke-width="2" stroke-dasharray="4 3"></line>` +
    `<text x="280" y="17" font-size="14">Target (${escapeXml(round(what.target))})</text>`;

  const bars = rows.map((q, i) => {
    const top = LEGEND + PADDING + i * ROW;
    const [m, p] = [x(q.median!), x(q.p90!)];
    return (
      `<g>` +
      `<text x="0" y="${top + LABEL_SIZE}" font-size="${LABEL_SIZE}">${escapeXml(q.label)}</text>` +
      `<rect x="0" y="${top + MEDIAN_TOP}" width="${m}" height="${MEDIAN_HEIGHT}" fill="${BLUE}"></rect>` +
      `<text x="${m + 8}" y="${top + MEDIAN_TOP + MEDIAN_HEIGHT / 2}" dominant-baseline="central" font-size="14" ` +
      `font-weight="bold">${escapeXml(round(q.median!))}</text>` +
      `<rect x="0" y="${top + P90_TOP}" width="${p}" height="${P90_HEIGHT}" fill="${GREY}"></rect>` +
      `<text x="${p + 8}" y="${top + P90_TOP + P90_HEIGHT / 2}" dominant-baseline="central" font-size="14">` +
      `${escapeXml(round(q.p90!))}</text>` +
      `</g>`
    );
  });
  const target =
    rows.length === 0
      ? ''
      : `<line x1="${x(what.target)}" y1="${LEGEND}" x2="${x(what.target)}" y2="${height - PADDING}" ` +
        `stroke="${BLACK}" stroke-width="2" stroke-dasharray="4 3"></line>`;

  return svgPicture(
    { id, width: WIDTH, height, className: 'app-pipeline-chart', title, desc },
    legend + bars.join('') + target,
  );
}
