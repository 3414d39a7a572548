import type { Request, Response } from 'express';
import { ValidationError } from '../core/errors';
import type { ReportDocument, Reports } from '../services/reports';

const FORMATS = ['json', 'html', 'text', 'pdf'] as const;

/**
 * Answers with a generated document in the `format` asked for: `json` (the default:
 * `{title, date, html, text}`), `html`, `text` or `pdf`. The format is checked before
 * the document is made.
 */
export async function sendReport(req: Request, res: Response, reports: Reports, make: () => Promise<ReportDocument>) {
  const format = req.query.format ?? 'json';
  if (typeof format !== 'string' || !(FORMATS as readonly string[]).includes(format)) {
    throw ValidationError.field('format', `must be one of ${FORMATS.join(', ')}`);
  }
  const doc = await make();
  if (format === 'pdf') {
    const pdf = await reports.pdf(req.user!, doc);
    res.type('application/pdf').attachment(pdf.filename).send(pdf.content);
  } else if (format === 'html') res.type('html').send(doc.html);
  else if (format === 'text') res.type('text/plain').send(doc.text);
  else res.json({ title: doc.title, date: doc.date, html: doc.html, text: doc.text });
}
