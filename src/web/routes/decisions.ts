import type express from 'express';
import type { Request, Response } from 'express';
import { longDate } from '../../core/dates';
import { ConflictError } from '../../core/errors';
import { idParam } from '../../http';
import type { WebContext } from '../context';
import { handleForm, render, type PageError } from '../forms';
import { allowRoles } from '../roles';
import { formTexts } from './secretariat/common';
import { friendlier } from './csp/common';

const expectedVersionOf = (body: Record<string, unknown>) =>
  /^\d{1,9}$/.test(String(body.expectedVersion ?? '')) ? Number(body.expectedVersion) : undefined;

const DECISION_LABELS = { decision: 'Whether to hold a review', reason: 'The reason' };
const VIEW_LABELS = { view: "The panel's view", comments: 'The comments' };

/**
 * The decision whether to hold a review (the CSP's), the panel's view of a decision not to
 * (the Home Office's), and the panel's letter on it: each a page of its own, each an event
 * of the review's lifecycle.
 */
export function decisionRoutes(router: express.Router, { services }: WebContext) {
  async function decisionPage(
    req: Request,
    res: Response,
    extra: { errors?: PageError[]; values?: Record<string, string> } = {},
    status = 200,
  ) {
    allowRoles(req, ['csp', 'secretariat'], 'Only the CSP and the panel secretariat record whether a review is held');
    const review = await services.reviews.view(req.user!, idParam(req));
    if (!extra.errors && !review.allowedEvents.includes('RECORD_DECISION'))
      return res.redirect(`/reviews/${review.id}`);
    // Once the panel disagreed, the review is held: declining it again is not offered.
    const overruled = review.panelView?.view === 'disagree';
    const options = [
      { value: 'review', text: 'Yes, hold a review', hint: 'Then upload the report and submit it when it is ready' },
      ...(overruled
        ? []
        : [
            {
              value: 'no_review',
              text: 'No, do not hold a review',
              hint: "The decision goes to the Home Office's Quality Assurance Panel, which writes to say whether it agrees",
            },
          ]),
    ];
    render(
      req,
      res,
      'reviews/decision',
      {
        title: `Decision whether to hold a review – ${review.reference}`,
        review,
        overruled,
        options,
        // Once overruled, holding the review is the one answer, and the old reason is not its reason.
        values:
          extra.values ??
          (overruled && review.decision?.decision !== 'review'
            ? { decision: 'review', reason: '' }
            : { decision: review.decision?.decision ?? '', reason: review.decision?.reason ?? '' }),
        errors: extra.errors,
        backLink: { href: `/reviews/${review.id}`, text: `Back to ${review.reference}` },
      },
      status,
    );
  }

  router.get('/reviews/:id/decision', async (req, res) => {
    await decisionPage(req, res);
  });

  router.post('/reviews/:id/decision', async (req, res) => {
    const id = idParam(req);
    const values = formTexts(req.body ?? {}, ['decision', 'reason']);
    await handleForm(
      async () => {
        const review = await services.reviews.sendEvent(req.user!, id, {
          type: 'RECORD_DECISION',
          decision: values.decision || undefined,
          reason: values.reason,
          expectedVersion: expectedVersionOf(req.body ?? {}),
        });
        res.redirect(
          review.state === 'notified'
            ? `/reviews/${id}?done=RECORD_DECISION`
            : `/reviews/${id}/confirmation/decision-submitted`,
        );
      },
      (errors, status) =>
        decisionPage(
          req,
          res,
          {
            errors: friendlier(errors, {
              decision: { 'is required': 'Select whether the Community Safety Partnership will hold a review' },
              reason: {
                'must not be empty': 'Enter the reason for the decision',
                'is required': 'Enter the reason for the decision',
              },
            }),
            values,
          },
          status,
        ),
      DECISION_LABELS,
      { values, choices: ['decision'] },
    );
  });

  async function viewPage(
    req: Request,
    res: Response,
    extra: { errors?: PageError[]; values?: Record<string, string> } = {},
    status = 200,
  ) {
    allowRoles(req, ['secretariat', 'panel'], "Only the Home Office records the panel's view");
    const review = await services.reviews.view(req.user!, idParam(req));
    if (!extra.errors && !review.allowedEvents.includes('RECORD_PANEL_VIEW'))
      return res.redirect(`/reviews/${review.id}`);
    render(
      req,
      res,
      'reviews/panel-view',
      {
        title: `The panel's view of the decision – ${review.reference}`,
        review,
        meetingDate: review.meeting ? longDate(review.meeting.date) : null,
        options: [
          {
            value: 'agree',
            text: 'The panel agrees',
            hint: 'The review is not held, and ends when the letter is sent',
          },
          {
            value: 'disagree',
            text: 'The panel disagrees',
            hint: `${review.csp.name} is asked to hold a review, and it comes back to the panel as a report`,
          },
        ],
        values: extra.values ?? { view: review.panelView?.view ?? '', comments: review.panelView?.comments ?? '' },
        errors: extra.errors,
        backLink: { href: `/reviews/${review.id}`, text: `Back to ${review.reference}` },
      },
      status,
    );
  }

  router.get('/reviews/:id/panel-view', async (req, res) => {
    await viewPage(req, res);
  });

  router.post('/reviews/:id/panel-view', async (req, res) => {
    const id = idParam(req);
    const values = formTexts(req.body ?? {}, ['view', 'comments']);
    await handleForm(
      async () => {
        await services.reviews.sendEvent(req.user!, id, {
          type: 'RECORD_PANEL_VIEW',
          view: values.view || undefined,
          comments: values.comments,
          expectedVersion: expectedVersionOf(req.body ?? {}),
        });
        res.redirect(`/reviews/${id}?done=RECORD_PANEL_VIEW`);
      },
      (errors, status) =>
        viewPage(
          req,
          res,
          {
            errors: friendlier(errors, {
              view: { 'is required': "Select the panel's view of the decision" },
              comments: {
                'must say why the panel disagrees: they go into its letter':
                  'Enter why the panel disagrees: it goes into the letter',
              },
            }),
            values,
          },
          status,
        ),
      VIEW_LABELS,
      { values, choices: ['view'] },
    );
  });

  async function letterPage(req: Request, res: Response, errors?: PageError[], status = 200) {
    allowRoles(req, ['secretariat'], "Only the panel secretariat sends the panel's letters");
    const id = idParam(req);
    const review = await services.reviews.view(req.user!, id);
    if (!errors && review.state !== 'decision_letter_pending') return res.redirect(`/reviews/${id}`);
    // A letter that could not reach anyone (the CSP has no contact) cannot be drawn: the page says why instead.
    let preview: Awaited<ReturnType<typeof services.decisions.letterPreview>> | null = null;
    if (review.state === 'decision_letter_pending') {
      try {
        preview = await services.decisions.letterPreview(req.user!, id);
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
      }
    }
    render(
      req,
      res,
      'reviews/decision-letter',
      {
        title: `Send the panel's letter on the decision – ${review.reference}`,
        review,
        preview,
        canSend: preview !== null && review.allowedEvents.includes('SEND_LETTER') && !preview.unprintable,
        errors,
        backLink: { href: `/reviews/${id}`, text: `Back to ${review.reference}` },
      },
      status,
    );
  }

  router.get('/reviews/:id/decision-letter', async (req, res) => {
    await letterPage(req, res);
  });

  router.post('/reviews/:id/decision-letter', async (req, res) => {
    const id = idParam(req);
    allowRoles(req, ['secretariat'], "Only the panel secretariat sends the panel's letters");
    // This page sends the letter on a decision, never a feedback letter (that goes from its draft's
    // page): the review must be waiting for it, and still be as read here when the letter goes.
    const review = await services.reviews.view(req.user!, id);
    if (review.state !== 'decision_letter_pending') return res.redirect(`/reviews/${id}`);
    await handleForm(
      async () => {
        await services.reviews.sendEvent(req.user!, id, {
          type: 'SEND_LETTER',
          expectedVersion: expectedVersionOf(req.body ?? {}) ?? review.version,
        });
        res.redirect(`/reviews/${id}/confirmation/decision-letter-sent`);
      },
      (errors, status) => letterPage(req, res, errors, status),
    );
  });
}
