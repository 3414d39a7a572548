import type express from 'express';
import type { Request, Response } from 'express';
import { NotFoundError } from '../../core/errors';
import { dateFrom, handleForm, render, type PageError } from '../forms';
import type { WebContext } from '../context';
import { idParam } from '../../http';
import { expectedVersionOf } from '../eventForm';
import { DETAIL_LABELS, detailErrors, year } from './csp/notify';
import { formTexts } from './secretariat/common';

const kindText = (kind: string) => kind.replace(/_/g, ' ');

/**
 * Correcting mistakes. An upload made in error, while the CSP still holds the review:
 * replace a document with another of the same kind, or remove it; neither deletes
 * anything, the old document stays in the review's history and can still be downloaded
 * from there. And the review's details, each change recorded with what it was.
 */
export function correctionRoutes(router: express.Router, ctx: WebContext) {
  const { services } = ctx;

  /** The review and one of its documents that this user may remove or replace now; anything else is not found. */
  async function removable(req: Request) {
    const review = await services.reviews.view(req.user!, idParam(req));
    const document = review.documents.find((d) => d.id === idParam(req, 'documentId'));
    if (!document?.removable) throw new NotFoundError('No document with this id that can be changed now');
    return { review, document };
  }

  async function page(req: Request, res: Response, which: 'remove' | 'replace', errors?: PageError[], status = 200) {
    const { review, document } = await removable(req);
    render(
      req,
      res,
      `reviews/${which}-document`,
      {
        title: `${which === 'remove' ? 'Remove' : 'Replace'} ${document.filename} – ${review.reference}`,
        review,
        document: { ...document, kindText: kindText(document.kind) },
        errors,
        backLink: { href: `/reviews/${review.id}#documents`, text: `Back to ${review.reference}` },
      },
      status,
    );
  }

  router.get('/reviews/:id/documents/:documentId/remove', async (req, res) => {
    await page(req, res, 'remove');
  });

  router.post('/reviews/:id/documents/:documentId/remove', async (req, res) => {
    const id = idParam(req);
    const documentId = idParam(req, 'documentId');
    await handleForm(
      async () => {
        await services.reviews.sendEvent(req.user!, id, { type: 'REMOVE_DOCUMENT', documentId });
        res.redirect(`/reviews/${id}?removed=${documentId}`);
      },
      (errors, status) => page(req, res, 'remove', errors, status),
    );
  });

  router.get('/reviews/:id/documents/:documentId/replace', async (req, res) => {
    await page(req, res, 'replace');
  });

  router.post('/reviews/:id/documents/:documentId/replace', ctx.upload.single('file'), async (req, res) => {
    ctx.csrf.check(req);
    const id = idParam(req);
    const { document } = await removable(req);
    await handleForm(
      async () => {
        const doc = await services.reviews.attachDocument(
          req.user!,
          id,
          { kind: document.kind, filename: req.file?.originalname ?? '', bytes: req.file?.buffer ?? Buffer.alloc(0) },
          document.id,
        );
        res.redirect(`/reviews/${id}?uploaded=${doc.id}`);
      },
      (errors, status) =>
        page(
          req,
          res,
          'replace',
          errors.map((e) =>
            e.field === 'file' && /choose a file/.test(e.said ?? e.message)
              ? { ...e, message: `Choose the new ${kindText(document.kind)} to upload` }
              : e,
          ),
          status,
        ),
      { file: 'The file' },
    );
  });

  async function detailsPage(
    req: Request,
    res: Response,
    extra: { errors?: PageError[]; values?: Record<string, string> } = {},
    status = 200,
  ) {
    const review = await services.reviews.view(req.user!, idParam(req));
    if (!extra.errors && !review.allowedEvents.includes('EDIT_DETAILS')) return res.redirect(`/reviews/${review.id}`);
    const [y, m, d] = review.notifiedOn!.split('-');
    render(
      req,
      res,
      'reviews/details',
      {
        title: `Change the details of ${review.reference}`,
        review,
        values: extra.values ?? {
          pseudonym: review.pseudonym,
          yearOfDeath: review.yearOfDeath === null ? '' : String(review.yearOfDeath),
          'notifiedOn-day': String(Number(d)),
          'notifiedOn-month': String(Number(m)),
          'notifiedOn-year': y,
        },
        errors: extra.errors,
        backLink: { href: `/reviews/${review.id}`, text: `Back to ${review.reference}` },
      },
      status,
    );
  }

  router.get('/reviews/:id/details', async (req, res) => {
    await detailsPage(req, res);
  });

  router.post('/reviews/:id/details', async (req, res) => {
    const id = idParam(req);
    const body = req.body as Record<string, unknown>;
    const fields = ['pseudonym', 'yearOfDeath', 'notifiedOn-day', 'notifiedOn-month', 'notifiedOn-year'];
    const values = formTexts(body, fields);
    await handleForm(
      async () => {
        await services.reviews.sendEvent(req.user!, id, {
          type: 'EDIT_DETAILS',
          pseudonym: values.pseudonym,
          yearOfDeath: year(values.yearOfDeath) ?? null,
          // Left empty, the date notified is required: it cannot be unknown once recorded.
          notifiedOn: dateFrom(body, 'notifiedOn') ?? '',
          expectedVersion: expectedVersionOf(body),
        });
        res.redirect(`/reviews/${id}?done=EDIT_DETAILS`);
      },
      (errors, status) =>
        detailsPage(
          req,
          res,
          {
            // Left empty, the date notified is asked for; "nothing was changed" is about the whole form.
            errors: detailErrors(errors).map((e) =>
              e.field === 'notifiedOn' && ['day', 'month', 'year'].every((p) => !values[`notifiedOn-${p}`]!.trim())
                ? { ...e, message: 'Enter the date notified' }
                : e.field === 'body'
                  ? { ...e, href: '#main-content' }
                  : e,
            ),
            values,
          },
          status,
        ),
      DETAIL_LABELS,
      { values, dates: ['notifiedOn'] },
    );
  });
}
