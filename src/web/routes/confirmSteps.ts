import type express from 'express';
import type { Request, Response } from 'express';
import type { User } from '../../core/user';
import type { Services } from '../../services';
import { SUBMISSION_KINDS, type ReviewState } from '../../workflow/types';
import { handleForm, render, type PageError } from '../forms';
import type { WebContext } from '../context';
import { idParam } from '../../http';
import { expectedVersionOf } from '../eventForm';
import { friendlier } from './csp/common';

type Review = Awaited<ReturnType<Services['reviews']['view']>>;

const humanise = (kind: string) => kind.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());

/**
 * The confirmation page after a step that hands a review on: what was done, and what
 * happens next. Each step has the states a review can be in once it is done; a review
 * elsewhere (the address typed by hand, or the review moved on) goes to its own page.
 */
const CONFIRMATIONS: Record<
  string,
  {
    states: readonly ReviewState[];
    /** Beyond the state, what must be true of the review for the step to have been done. */
    done?: (review: Review) => boolean;
    title: string;
    next: (review: Review, user: User) => string[];
  }
> = {
  submitted: {
    states: ['submitted', 'scheduled'],
    title: 'Review submitted',
    next: (review) => [
      `The Home Office has been told, and an acknowledgement is on its way by email to ${review.csp.name}.`,
      'The Home Office will schedule the review for a meeting of the Quality Assurance Panel, then send the panel’s feedback by letter.',
    ],
  },
  'revisions-submitted': {
    states: ['revisions_submitted', 'resubmitted'],
    title: 'Revisions submitted',
    next: (review) =>
      review.state === 'resubmitted'
        ? [
            'The Home Office has been told. The revised report goes back to the Quality Assurance Panel, which will assess it again at a meeting.',
            'You will get the panel’s feedback by letter.',
          ]
        : [
            'The Home Office has been told, and will check each answer: it accepts it, or returns it to you with a reason.',
            'You will get an email when every answer is checked: either the report is approved for publication, or some items are returned for you to answer again.',
          ],
  },
  'letter-sent': {
    states: ['revising', 'approved'],
    title: 'Feedback letter sent',
    next: (review) => [
      `The letter is on its way by email to ${review.csp.name}, with a copy to the Police and Crime Commissioner where the area has one. Mail shows when it is delivered.`,
      review.state === 'approved'
        ? `The report is approved for publication. ${review.csp.name} records the publication here once the report is published.`
        : `${review.csp.name} can now answer the revision items. The Home Office is emailed when the revisions are submitted.`,
    ],
  },
  'decision-submitted': {
    states: ['decision_submitted', 'decision_scheduled'],
    title: 'Decision sent to the Home Office',
    next: (review) => [
      `The Home Office has been told that ${review.csp.name} decided not to hold a review. The Quality Assurance Panel will consider the decision at a meeting and write to say whether it agrees, with a copy to the Police and Crime Commissioner.`,
      'Until the panel has recorded its view, the decision can still be changed to hold the review, from the review’s page.',
    ],
  },
  'decision-letter-sent': {
    states: ['not_reviewed', 'notified'],
    done: (review) => review.letters.some((l) => l.kind === 'review_decision'),
    title: "The panel's letter sent",
    next: (review) => [
      `The letter is on its way by email to ${review.csp.name}, with a copy to the Police and Crime Commissioner. Mail shows when it is delivered.`,
      review.state === 'not_reviewed'
        ? 'The panel agreed with the decision: the review ends here, not held. It stays in the records.'
        : `The panel disagreed: ${review.csp.name} now holds the review, and submits its report when it is ready.`,
    ],
  },
  withdrawn: {
    states: ['withdrawn'],
    title: 'Review withdrawn',
    next: (review) => [
      `No reminders will be sent for this review, and ${review.csp.name} can no longer act on it. Emails already on their way, on the Mail page, are not recalled.`,
      'If it was withdrawn by mistake, the panel secretariat can reinstate it from its page, with a reason.',
    ],
  },
};

/**
 * The steps that cannot be taken back casually, done as GOV.UK services do them: check
 * your answers (with a declaration) before submitting, a warning before withdrawing,
 * and a confirmation page after each that says what happens next.
 */
export function confirmStepRoutes(router: express.Router, { services }: WebContext) {
  async function checkSubmitPage(req: Request, res: Response, errors?: PageError[], status = 200) {
    const review = await services.reviews.view(req.user!, idParam(req));
    if (!errors && !review.allowedEvents.includes('SUBMIT')) return res.redirect(`/reviews/${review.id}`);
    render(
      req,
      res,
      'reviews/check-submit',
      {
        title: `Check your answers before submitting – ${review.reference}`,
        review,
        documents: SUBMISSION_KINDS.map((kind) => ({
          text: humanise(kind),
          lowerText: kind.replace(/_/g, ' '),
          files: review.documents.filter((d) => d.kind === kind),
        })),
        errors,
        backLink: { href: `/reviews/${review.id}`, text: `Back to ${review.reference}` },
      },
      status,
    );
  }

  router.get('/reviews/:id/submit', async (req, res) => {
    await checkSubmitPage(req, res);
  });

  router.post('/reviews/:id/submit', async (req, res) => {
    const id = idParam(req);
    await handleForm(
      async () => {
        await services.reviews.sendEvent(req.user!, id, {
          type: 'SUBMIT',
          expectedVersion: expectedVersionOf(req.body),
        });
        res.redirect(`/reviews/${id}/confirmation/submitted`);
      },
      (errors, status) => checkSubmitPage(req, res, errors, status),
    );
  });

  async function withdrawPage(
    req: Request,
    res: Response,
    extra: { errors?: PageError[]; values?: Record<string, string> } = {},
    status = 200,
  ) {
    const review = await services.reviews.view(req.user!, idParam(req));
    if (!extra.errors && !review.allowedEvents.includes('WITHDRAW')) return res.redirect(`/reviews/${review.id}`);
    render(
      req,
      res,
      'reviews/withdraw',
      {
        title: `Withdraw ${review.reference}`,
        review,
        values: extra.values ?? {},
        errors: extra.errors,
        backLink: { href: `/reviews/${review.id}`, text: `Back to ${review.reference}` },
      },
      status,
    );
  }

  router.get('/reviews/:id/withdraw', async (req, res) => {
    await withdrawPage(req, res);
  });

  router.post('/reviews/:id/withdraw', async (req, res) => {
    const id = idParam(req);
    const values = { reason: String(req.body.reason ?? '') };
    await handleForm(
      async () => {
        await services.reviews.sendEvent(req.user!, id, {
          type: 'WITHDRAW',
          reason: values.reason,
          expectedVersion: expectedVersionOf(req.body),
        });
        res.redirect(`/reviews/${id}/confirmation/withdrawn`);
      },
      (errors, status) =>
        withdrawPage(
          req,
          res,
          {
            errors: friendlier(errors, {
              reason: {
                'must not be empty': 'Enter why the review is being withdrawn',
                'is required': 'Enter why the review is being withdrawn',
              },
            }),
            values,
          },
          status,
        ),
      { reason: 'Reason' },
    );
  });

  router.get('/reviews/:id/confirmation/:step', async (req, res) => {
    const user = req.user!;
    const review = await services.reviews.view(user, idParam(req));
    const step = Object.hasOwn(CONFIRMATIONS, String(req.params.step)) ? CONFIRMATIONS[String(req.params.step)]! : null;
    if (!step || !step.states.includes(review.state) || (step.done && !step.done(review)))
      return res.redirect(`/reviews/${review.id}`);
    const csp = user.role === 'csp';
    render(req, res, 'reviews/confirmation', {
      title: `${step.title} – ${review.reference}`,
      panelTitle: step.title,
      review,
      next: step.next(review, user),
      homeHref: csp ? '/my-reviews' : '/reviews',
      homeText: csp ? 'Back to my reviews' : 'Back to all reviews',
    });
  });
}
