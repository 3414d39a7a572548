/**
 * The work that runs on the worker thread (see ./index.ts): laying out PDFs and reading
 * recommendation lists, the two jobs whose time grows with what a user sends.
 */
import { letterPdf } from '../letters/pdf';
import { parseRecommendations } from '../recommendations/parse';

export async function pdf({ html, meta }: { html: string; meta: { title: string; date: string } }) {
  return letterPdf(html, meta);
}

export function recommendations({ format, content }: { format: 'text' | 'csv'; content: string }) {
  return parseRecommendations(format, content);
}

/** Nothing: run once to start a thread, which then has the modules above loaded. */
export function warm() {
  return null;
}
