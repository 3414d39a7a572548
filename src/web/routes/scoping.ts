import type express from 'express';
import type { Request, Response } from 'express';
import { idParam } from '../../http';
import type { WebContext } from '../context';
import { handleForm, render, type PageError } from '../forms';
import { allowRoles } from '../roles';
import { formTexts } from './secretariat/common';

const LABELS = {
  directedBySecretaryOfState: 'Whether the Secretary of State directed the review',
  earlyLearning: 'The early learning',
  immediateActions: 'The immediate actions',
};

/** The review's scoping and direction, on a page of its own (see src/intake/scoping.ts). */
export function scopingRoutes(router: express.Router, { services }: WebContext) {
  async function page(
    req: Request,
    res: Response,
    extra: { errors?: PageError[]; values?: Record<string, string> } = {},
    status = 200,
  ) {
    allowRoles(req, ['csp', 'secretariat'], "Only the CSP and the panel secretariat record a review's scoping");
    const review = await services.reviews.view(req.user!, idParam(req));
    render(
      req,
      res,
      'reviews/scoping',
      {
        title: `Scoping and direction – ${review.reference}`,
        review,
        values: extra.values ?? {
          directedBySecretaryOfState: review.scoping.directedBySecretaryOfState ? 'yes' : 'no',
          earlyLearning: review.scoping.earlyLearning,
          immediateActions: review.scoping.immediateActions,
        },
        directedOptions: [
          { value: 'yes', text: 'Yes', hint: 'The Secretary of State directed that the review be held' },
          { value: 'no', text: 'No', hint: 'The Community Safety Partnership decided to hold it' },
        ],
        errors: extra.errors,
        backLink: { href: `/reviews/${review.id}#scoping`, text: `Back to ${review.reference}` },
      },
      status,
    );
  }

  router.get('/reviews/:id/scoping', async (req, res) => {
    await page(req, res);
  });

  router.post('/reviews/:id/scoping', async (req, res) => {
    const id = idParam(req);
    const values = formTexts(req.body ?? {}, Object.keys(LABELS));
    const directed = values.directedBySecretaryOfState;
    await handleForm(
      async () => {
        await services.scoping.record(req.user!, id, {
          directedBySecretaryOfState: directed === 'yes' ? true : directed === 'no' ? false : undefined,
          earlyLearning: values.earlyLearning,
          immediateActions: values.immediateActions,
        });
        res.redirect(`/reviews/${id}?scoped=1#scoping`);
      },
      (errors, status) => page(req, res, { errors, values }, status),
      LABELS,
      { values, choices: ['directedBySecretaryOfState'] },
    );
  });
}
