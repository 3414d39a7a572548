import { parse } from 'node-html-parser';
import { escapeXml, pipelineChart } from '../../src/web/pipelineChart';

const COUNTS = [
  { label: 'Notified', count: 3 },
  { label: 'Submitted', count: 0 },
  { label: 'Scheduled for a panel meeting', count: 12 },
  { label: 'Waiting for its feedback letter', count: 6 },
];

const svgOf = (html: string) => parse(html).querySelector('svg')!;

describe('pipelineChart', () => {
  it('is an image named by its title and described by its desc', () => {
    const html = pipelineChart(COUNTS);
    const svg = svgOf(html);
    expect(html.startsWith('<svg')).toBe(true);
    expect(svg.getAttribute('role')).toBe('img');
    const [titleId, descId] = svg.getAttribute('aria-labelledby')!.split(' ');
    const title = svg.querySelector('title')!;
    const desc = svg.querySelector('desc')!;
    expect(title.getAttribute('id')).toBe(titleId);
    expect(desc.getAttribute('id')).toBe(descId);
    expect(title.text).toBe('Reviews in each state');
    expect(desc.text).toBe(
      'Horizontal bar chart of 21 reviews by state: Notified, 3; Submitted, 0; ' +
        'Scheduled for a panel meeting, 12; Waiting for its feedback letter, 6.',
    );
  });

  it('scales to its container through its viewBox and needs nothing from outside', () => {
    const html = pipelineChart(COUNTS);
    const svg = svgOf(html);
    expect(svg.getAttribute('width')).toBe('100%');
    expect(svg.getAttribute('height')).toBeUndefined();
    expect(svg.getAttribute('viewBox')).toMatch(/^0 0 \d+ \d+$/);
    expect(svg.getAttribute('font-family')).toBe('inherit');
    expect(html).not.toMatch(/<script|href=|url\(|on\w+=/i);
  });

  it('draws one bar per state, in GOV.UK blue, as long as its count, with its label and count', () => {
    const svg = svgOf(pipelineChart(COUNTS));
    const rects = svg.querySelectorAll('rect');
    expect(rects).toHaveLength(COUNTS.length);
    expect(rects.every((r) => r.getAttribute('fill') === '#1d70b8')).toBe(true);
    const widths = rects.map((r) => Number(r.getAttribute('width')));
    expect(widths[1]).toBe(0);
    expect(widths[2]).toBe(Math.max(...widths));
    expect(widths[0]! / widths[2]!).toBeCloseTo(3 / 12, 2);
    expect(widths[3]! / widths[2]!).toBeCloseTo(6 / 12, 2);
    const texts = svg.querySelectorAll('text').map((t) => t.text);
    expect(texts).toEqual([
      'Notified',
      '3',
      'Submitted',
      '0',
      'Scheduled for a panel meeting',
      '12',
      'Waiting for its feedback letter',
      '6',
    ]);
    expect(svg.getAttribute('fill')).toBe('#0b0c0c');
  });

  it('labels every state even when there are no reviews at all', () => {
    const svg = svgOf(pipelineChart(COUNTS.map((c) => ({ ...c, count: 0 }))));
    expect(svg.querySelectorAll('rect').map((r) => r.getAttribute('width'))).toEqual(['0', '0', '0', '0']);
    expect(svg.querySelectorAll('text')).toHaveLength(8);
    expect(svg.querySelector('desc')!.text).toMatch(/^Horizontal bar chart of 0 reviews by state: Notified, 0;/);
  });

  it('escapes every label', () => {
    const html = pipelineChart([
      { label: '<script>alert("x")</script>', count: 1 },
      { label: "Tom & Jerry's", count: 2 },
    ]);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('Tom &amp; Jerry&#39;s');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('Tom & Jerry');
    expect(svgOf(html).querySelectorAll('rect')).toHaveLength(2);
  });

  it('escape handles the five XML special characters', () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
