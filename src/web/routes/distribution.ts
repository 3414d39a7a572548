import type express from 'express';
import type { Request, Response } from 'express';
import { NotFoundError } from '../../core/errors';
import { EMAILABLE, RECIPIENTS, type Recipient } from '../../distribution/recipients';
import { idParam } from '../../http';
import type { WebContext } from '../context';
import { dateFrom, handleForm, render, type PageError } from '../forms';
import { formTexts } from './secretariat/common';

const LABELS = { how: 'How it was sent', sentOn: 'The date it was sent', note: 'What was sent, how and to whom' };

/**
 * The distribution list of a review's final report: one page per recipient, where the CSP or
 * the secretariat records that the report reached it, by email from here (the Home Office,
 * the Commissioner, the PCC, once published) or another way with a date and a note.
 */
export function distributionRoutes(router: express.Router, { services }: WebContext) {
  async function page(
    req: Request,
    res: Response,
    extra: { errors?: PageError[]; values?: Record<string, string> } = {},
    status = 200,
  ) {
    const review = await services.reviews.view(req.user!, idParam(req));
    const recipient = String(req.params.recipient) as Recipient;
    const line = review.distribution?.lines.find((l) => l.recipient === recipient);
    if (!RECIPIENTS.includes(recipient) || !line) throw new NotFoundError('No such recipient of this review');
    if (!['csp', 'secretariat'].includes(req.user!.role) || review.state === 'closed') {
      return res.redirect(`/reviews/${review.id}#distribution`);
    }
    const canEmail = EMAILABLE.includes(recipient) && review.publication !== null;
    render(
      req,
      res,
      'reviews/distribution',
      {
        title: `${line.name} – ${review.reference}`,
        review,
        line,
        canEmail,
        emailLater: EMAILABLE.includes(recipient) && !canEmail,
        nameInSentence: line.name.replace(/^The /, 'the '),
        howOptions: [
          ...(canEmail
            ? [{ value: 'email', text: 'Send it now by email, with the weblink', hint: 'The email is the evidence.' }]
            : []),
          { value: 'note', text: 'Record that it was sent another way' },
        ],
        values: extra.values ?? { how: canEmail ? '' : 'note' },
        errors: extra.errors,
        backLink: { href: `/reviews/${review.id}#distribution`, text: `Back to ${review.reference}` },
      },
      status,
    );
  }

  router.get('/reviews/:id/distribution/:recipient', async (req, res) => {
    await page(req, res);
  });

  router.post('/reviews/:id/distribution/:recipient', async (req, res) => {
    const id = idParam(req);
    const body = req.body as Record<string, unknown>;
    const fields = ['how', 'note', 'sentOn-day', 'sentOn-month', 'sentOn-year'];
    const values = formTexts(body, fields);
    await handleForm(
      async () => {
        const how = values.how || undefined;
        await services.distribution.record(req.user!, id, {
          recipient: req.params.recipient,
          how,
          ...(how === 'note' ? { sentOn: dateFrom(values, 'sentOn'), note: values.note || undefined } : {}),
        });
        res.redirect(`/reviews/${id}?distributed=${encodeURIComponent(String(req.params.recipient))}#distribution`);
      },
      (errors, status) => page(req, res, { errors, values }, status),
      LABELS,
      { values: { ...values, sentOn: dateFrom(values, 'sentOn') ?? '' }, choices: ['how'], dates: ['sentOn'] },
    );
  });
}
