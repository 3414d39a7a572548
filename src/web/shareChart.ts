/**
 * Shares (percentages) as an inline SVG horizontal bar chart, drawn like the
 * pipeline chart (see pipelineChart.ts): one bar per row on a 0–100% track, its
 * label above it and its share after it. The SVG is a picture (role="img") named
 * by its <title> and described, figures and all, by its <desc>; the page shows the
 * same figures as a table for anyone who cannot see the picture.
 */
import { escapeXml, svgPicture } from './pipelineChart';

const WIDTH = 640;
const ROW = 52;
const LABEL_SIZE = 16;
const BAR_HEIGHT = 22;
const BAR_TOP = 24;
const VALUE_ROOM = 72;
const PADDING = 8;

const BLUE = '#1d70b8';
const TRACK = '#f3f2f1';

export interface Share {
  label: string;
  /** 0–100, or null when there is nothing to take a share of. */
  percent: number | null;
  /** What the share is of, for the description: "1 of 4". */
  detail?: string;
}

export function shareChart(rows: Share[], options: { id: string; title: string; none?: string }): string {
  const bars = rows.map((r) => ({
    ...r,
    percent:
      r.percent === null || !Number.isFinite(r.percent) ? null : Math.min(100, Math.max(0, Math.round(r.percent))),
  }));
  const none = options.none ?? 'no figures';
  const height = PADDING * 2 + Math.max(bars.length, 1) * ROW;
  const span = WIDTH - VALUE_ROOM;
  const desc =
    bars.length === 0
      ? 'Nothing to show.'
      : `Horizontal bar chart, from 0 to 100%: ${bars
          .map((b) => `${b.label}, ${b.percent === null ? none : `${b.percent}%${b.detail ? ` (${b.detail})` : ''}`}`)
          .join('; ')}.`;

  const drawn = bars.map((b, i) => {
    const top = PADDING + i * ROW;
    const width = b.percent === null ? 0 : Math.round((b.percent / 100) * span * 10) / 10;
    const value = b.percent === null ? '–' : `${b.percent}%`;
    return (
      `<g>` +
      `<text x="0" y="${top + LABEL_SIZE}" font-size="${LABEL_SIZE}">${escapeXml(b.label)}</text>` +
      `<rect x="0" y="${top + BAR_TOP}" width="${span}" height="${BAR_HEIGHT}" fill="${TRACK}"></rect>` +
      `<rect x="0" y="${top + BAR_TOP}" width="${width}" height="${BAR_HEIGHT}" fill="${BLUE}"></rect>` +
      `<text x="${span + 8}" y="${top + BAR_TOP + BAR_HEIGHT / 2}" dominant-baseline="central" ` +
      `font-size="${LABEL_SIZE}" font-weight="bold">${escapeXml(value)}</text>` +
      `</g>`
    );
  });

  return svgPicture(
    { id: options.id, width: WIDTH, height, className: 'app-share-chart', title: options.title, desc },
    drawn.join(''),
  );
}
