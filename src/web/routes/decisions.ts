import type express from 'express';
import type { Request, Response } from 'express';
import { longDate } from '../../core/dates';
import { ConflictError } from '../../core/errors';
import { idParam } from '../../http';
import { expectedVersionOf } from '../eventForm';
import type { WebContext } from '../context';
import { handleForm, render, type PageError } from '../forms';
import { allowRoles } from '../roles';
import { formTexts } from './secretariat/common';
import { friendlier } from './csp/common';
import { decisionLetter } from '../../intake/decisions';
import type { ClientEventType, PanelView, Role } from '../../workflow/types';
import type { Services } from '../../services';

type Review = Awaited<ReturnType<Services['reviews']['view']>>;

/** A page whose form sends one event of a review, and what it asks, says and does. */
interface EventFormPage {
  path: string;
  roles: readonly Role[];
  refusal: string;
  event: ClientEventType;
  template: string;
  title: string;
  fields: readonly string[];
  labels: Record<string, string>;
  choices: readonly string[];
  /** The service's words for a field, put as GOV.UK would put them. */
  better: Record<string, Record<string, string>>;
  /** What the page shows beyond the review, and what its fields hold when first drawn. */
  model: (review: Review) => Record<string, unknown>;
  initial: (review: Review) => Record<string, string>;
  payload: (values: Record<string, string>) => Record<string, unknown>;
  /** Where a saved form goes, from the review as the event left it. */
  next: (review: Review) => string;
}

/** The CSP's decision: hold a review or not. Once the panel disagreed, holding it is the one answer. */
const DECISION: EventFormPage = {
  path: 'decision',
  roles: ['csp', 'secretariat'],
  refusal: 'Only the CSP and the panel secretariat record whether a review is held',
  event: 'RECORD_DECISION',
  template: 'reviews/decision',
  title: 'Decision whether to hold a review',
  fields: ['decision', 'reason'],
  labels: { decision: 'Whether to hold a review', reason: 'The reason' },
  choices: ['decision'],
  better: {
    decision: { 'is required': 'Select whether the Community Safety Partnership will hold a review' },
    reason: {
      'must not be empty': 'Enter the reason for the decision',
      'is required': 'Enter the reason for the decision',
    },
  },
  model: (review) => {
    const overruled = review.panelView?.view === 'disagree';
    return {
      overruled,
      options: [
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
      ],
    };
  },
  // Once overruled, the old reason is not the reason for holding the review.
  initial: (review) =>
    review.panelView?.view === 'disagree' && review.decision?.decision !== 'review'
      ? { decision: 'review', reason: '' }
      : { decision: review.decision?.decision ?? '', reason: review.decision?.reason ?? '' },
  payload: (values) => ({ decision: values.decision || undefined, reason: values.reason }),
  next: (review) =>
    review.state === 'notified'
      ? `/reviews/${review.id}?done=RECORD_DECISION`
      : `/reviews/${review.id}/confirmation/decision-submitted`,
};

/** The panel's view of a decision not to hold a review, with the comments its letter carries. */
const PANEL_VIEW: EventFormPage = {
  path: 'panel-view',
  roles: ['secretariat', 'panel'],
  refusal: "Only the Home Office records the panel's view",
  event: 'RECORD_PANEL_VIEW',
  template: 'reviews/panel-view',
  title: "The panel's view of the decision",
  fields: ['view', 'comments'],
  labels: { view: "The panel's view", comments: 'The comments' },
  choices: ['view'],
  better: {
    view: { 'is required': "Select the panel's view of the decision" },
    comments: {
      'must say why the panel disagrees: they go into its letter':
        'Enter why the panel disagrees: it goes into the letter',
    },
  },
  model: (review) => ({
    meetingDate: review.meeting ? longDate(review.meeting.date) : null,
    options: [
      { value: 'agree', text: 'The panel agrees', hint: 'The review is not held, and ends when the letter is sent' },
      {
        value: 'disagree',
        text: 'The panel disagrees',
        hint: `${review.csp.name} is asked to hold a review, and it comes back to the panel as a report`,
      },
    ],
  }),
  initial: (review) => ({ view: review.panelView?.view ?? '', comments: review.panelView?.comments ?? '' }),
  payload: (values) => ({ view: values.view || undefined, comments: values.comments }),
  next: (review) => `/reviews/${review.id}?done=RECORD_PANEL_VIEW`,
};

/**
 * The decision whether to hold a review (the CSP's), the panel's view of a decision not to
 * (the Home Office's), and the panel's letter on it: each a page of its own, each an event
 * of the review's lifecycle.
 */
export function decisionRoutes(router: express.Router, { services }: WebContext) {
  for (const page of [DECISION, PANEL_VIEW]) {
    const draw = async (
      req: Request,
      res: Response,
      extra: { errors?: PageError[]; values?: Record<string, string> } = {},
      status = 200,
    ) => {
      allowRoles(req, page.roles, page.refusal);
      const review = await services.reviews.view(req.user!, idParam(req));
      // Only while the machine would take the event: otherwise the review's own page says where it stands.
      if (!extra.errors && !review.allowedEvents.includes(page.event)) return res.redirect(`/reviews/${review.id}`);
      render(
        req,
        res,
        page.template,
        {
          title: `${page.title} – ${review.reference}`,
          review,
          ...page.model(review),
          values: extra.values ?? page.initial(review),
          errors: extra.errors,
          backLink: { href: `/reviews/${review.id}`, text: `Back to ${review.reference}` },
        },
        status,
      );
    };

    router.get(`/reviews/:id/${page.path}`, async (req, res) => {
      await draw(req, res);
    });

    router.post(`/reviews/:id/${page.path}`, async (req, res) => {
      const values = formTexts(req.body ?? {}, page.fields);
      await handleForm(
        async () => {
          const review = await services.reviews.sendEvent(req.user!, idParam(req), {
            type: page.event,
            ...page.payload(values),
            expectedVersion: expectedVersionOf(req.body ?? {}),
          });
          res.redirect(page.next(review));
        },
        (errors, status) => draw(req, res, { errors: friendlier(errors, page.better), values }, status),
        page.labels,
        { values, choices: page.choices },
      );
    });
  }

  async function letterPage(req: Request, res: Response, errors?: PageError[], status = 200) {
    allowRoles(req, ['secretariat'], "Only the panel secretariat sends the panel's letters");
    const id = idParam(req);
    const review = await services.reviews.view(req.user!, id);
    if (!errors && review.state !== 'decision_letter_pending') return res.redirect(`/reviews/${id}`);
    // A letter that could not reach anyone (the CSP has no contact) cannot be drawn: the page says why instead.
    let preview: (Awaited<ReturnType<typeof services.letters.preview>> & { view: PanelView }) | null = null;
    if (review.state === 'decision_letter_pending' && review.panelView) {
      const { view, comments } = review.panelView;
      const letter = decisionLetter({
        decidedAt: review.decision?.decidedAt ?? null,
        meetingDate: review.meeting?.date,
        view,
        comments,
      });
      try {
        preview = { ...(await services.letters.preview('review_decision', id, letter)), view };
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
