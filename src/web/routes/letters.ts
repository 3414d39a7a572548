import type express from 'express';
import type { Request, Response } from 'express';
import { DONE } from '../eventForm';
import { handleForm, render, type PageError } from '../forms';
import type { WebContext } from '../index';
import { idParam } from '../../http';

export function letterRoutes(router: express.Router, { services }: WebContext) {
  async function show(
    req: Request,
    res: Response,
    id: number,
    extra: { errors?: PageError[]; values?: Record<string, unknown> } = {},
    status = 200,
  ) {
    const letter = await services.letters.get(req.user!, id);
    const review = await services.reviews.view(req.user!, letter.reviewId);
    render(
      req,
      res,
      'letters/show',
      {
        title: `${letter.status === 'draft' ? 'Draft ' : ''}${letter.kind.replace(/_/g, ' ')} letter – ${review.reference}`,
        letter,
        review,
        canEdit: letter.status === 'draft' && req.user!.role === 'secretariat',
        canSend: letter.status === 'draft' && review.allowedEvents.includes('SEND_LETTER'),
        values: extra.values ?? letter.fields,
        errors: extra.errors,
        banner: req.query.saved
          ? { success: true, text: 'Letter saved' }
          : typeof req.query.done === 'string' && req.query.done in DONE
            ? { success: true, text: DONE[req.query.done as keyof typeof DONE] }
            : null,
        backLink: { href: `/reviews/${review.id}#letters`, text: `Back to ${review.reference}` },
      },
      status,
    );
  }

  router.get('/letters/:id', async (req, res) => {
    await show(req, res, idParam(req));
  });

  router.get('/letters/:id/pdf', async (req, res) => {
    const pdf = await services.letters.pdf(req.user!, idParam(req));
    res.type('application/pdf').attachment(pdf.filename).send(pdf.content);
  });

  router.post('/letters/:id', async (req, res) => {
    const id = idParam(req);
    const values = {
      salutation: req.body.salutation ?? '',
      commendations: req.body.commendations ?? '',
      extraParagraph: req.body.extraParagraph ?? '',
    };
    await handleForm(
      async () => {
        await services.letters.update(req.user!, id, values);
        res.redirect(`/letters/${id}?saved=1`);
      },
      (errors, status) => show(req, res, id, { errors, values }, status),
      { salutation: 'Salutation', commendations: 'Commendations', extraParagraph: 'Extra paragraph' },
    );
  });

  router.post('/letters/:id/send', async (req, res) => {
    const id = idParam(req);
    const letter = await services.letters.get(req.user!, id);
    await handleForm(
      async () => {
        await services.reviews.sendEvent(req.user!, letter.reviewId, {
          type: 'SEND_LETTER',
          expectedVersion: Number(req.body.expectedVersion) || undefined,
        });
        res.redirect(`/reviews/${letter.reviewId}?done=SEND_LETTER#letters`);
      },
      (errors, status) => show(req, res, id, { errors }, status),
    );
  });
}
