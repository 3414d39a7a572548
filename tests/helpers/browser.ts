import fs from 'node:fs';
import path from 'node:path';
import axe from 'axe-core';
import { chromium, type Browser, type Page } from 'playwright-core';

export const SCREENSHOTS = path.join(__dirname, '..', '..', 'test-results', 'screenshots');

/** Debian's chromium, headless, kept off the network beyond this machine. */
export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export interface Violation {
  page: string;
  id: string;
  impact: string | null | undefined;
  targets: string[];
}

/** The page's width when the window is 320 CSS px wide (WCAG 1.4.10 Reflow): more means sideways scrolling. */
async function widthAt320(page: Page): Promise<number> {
  const viewport = page.viewportSize();
  const narrow = viewport?.width === 320;
  if (viewport && !narrow) await page.setViewportSize({ width: 320, height: viewport.height });
  const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
  if (viewport && !narrow) await page.setViewportSize(viewport);
  return width;
}

/**
 * Runs axe-core on the page against WCAG 2.2 A and AA, checks that it reflows at 320 px
 * without sideways scrolling, saves a screenshot, and returns the violations (none is the
 * expectation).
 */
export async function audit(page: Page, name: string): Promise<Violation[]> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const width = await widthAt320(page);
  const reflow: Violation[] =
    width > 320 ? [{ page: name, id: 'reflow-320', impact: 'serious', targets: [`the page is ${width} px wide`] }] : [];
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
  // Evaluated through the browser's debugging protocol, so the page's Content Security Policy still holds for the page itself.
  await page.evaluate(axe.source);
  const result = (await page.evaluate(
    `axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } })`,
  )) as axe.AxeResults;
  return [
    ...reflow,
    ...result.violations.map((v) => ({
      page: name,
      id: v.id,
      impact: v.impact,
      targets: v.nodes.map((n) => n.target.join(' ')),
    })),
  ];
}
