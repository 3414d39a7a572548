import type express from 'express';
import { longDate } from '../../../core/dates';
import type { ReviewProgress } from '../../../services/progress';
import type { ReviewState } from '../../../workflow/types';
import { render } from '../../forms';
import type { WebContext } from '../../context';
import { allowRoles } from '../../roles';

/** "What happens next", drawn as `{{lead}}<a href>{{link.text}}</a>{{trail}}`. */
export interface NextStep {
  lead?: string;
  link?: { href: string; text: string };
  trail?: string;
}

/** What a CSP does next with a review (or who has it now), from its state and progress. */
export function nextStep(review: { id: number; state: ReviewState }, progress: ReviewProgress | undefined): NextStep {
  const { id, state } = review;
  const meeting = progress?.meeting ? longDate(progress.meeting.date) : null;
  const round = progress?.round ?? null;
  switch (state) {
    case 'notified':
      return {
        link: {
          href: `/reviews/${id}#documents`,
          text: 'Upload the overview report, executive summary and action plan',
        },
        trail: ', then submit',
      };
    case 'decision_submitted':
    case 'decision_scheduled':
      return {
        lead: `With the Home Office: the QA Panel will consider the decision not to hold a review${meeting && state === 'decision_scheduled' ? ` at its meeting on ${meeting}` : ''}`,
      };
    case 'decision_letter_pending':
      return { lead: 'With the Home Office: the QA Panel considered the decision and its letter will follow' };
    case 'not_reviewed':
      return { lead: 'Nothing: the panel agreed with the decision not to hold a review' };
    case 'submitted':
      return { lead: 'With the Home Office: the QA Panel will assess it' };
    case 'scheduled':
      return {
        lead: `With the Home Office: the QA Panel will assess it${meeting ? ` at its meeting on ${meeting}` : ''}`,
      };
    case 'letter_pending':
      return {
        lead: `With the Home Office: the QA Panel assessed it${meeting ? ` at its meeting on ${meeting}` : ''} and its feedback letter will follow`,
      };
    case 'revising': {
      const href = `/reviews/${id}/items`;
      if (!round || round.toDo > 0) {
        const returned = round?.returned ? `, ${round.returned} returned to you` : '';
        return {
          link: { href, text: 'Answer the revision items' },
          trail: round ? ` (${round.toDo} of ${round.items} to do${returned})` : '',
        };
      }
      if (round.outcome === 'resubmit' && !round.revisedReportSinceLetter) {
        return { link: { href, text: 'Upload the revised report and submit the revisions' } };
      }
      return { link: { href, text: 'Submit the revisions' }, trail: ': every item is answered' };
    }
    case 'revisions_submitted':
      return { lead: 'With the Home Office: the secretariat is checking your revisions' };
    case 'resubmitted':
      return { lead: 'With the Home Office: the QA Panel will assess the revised report' };
    case 'approved':
      return { link: { href: `/reviews/${id}#actions-heading`, text: 'Publish the report and record its web link' } };
    case 'published':
      return {
        lead: progress?.publication
          ? `Published on ${longDate(progress.publication.publishedOn)}`
          : 'The report is published',
        link: { href: `/reviews/${id}#distribution`, text: 'Record who received the final report' },
      };
    case 'closed':
      return { lead: 'Nothing: the review is closed' };
    case 'withdrawn':
      return { lead: 'Nothing: the review was withdrawn' };
    case 'on_hold':
      return { lead: 'On hold: the Home Office will resume the review when it can continue' };
    default:
      return {};
  }
}

export function myReviewsRoutes(router: express.Router, { services }: WebContext) {
  router.get('/my-reviews', async (req, res) => {
    const user = allowRoles(req, ['csp'], 'This page lists the reviews of a Community Safety Partnership.');
    const [reviews, csps] = await Promise.all([
      services.reviews.list(user, { limit: 1000 }),
      services.directory.listCsps(user),
    ]);
    const progress = await services.progress(
      user,
      reviews.map((r) => r.id),
    );
    render(req, res, 'csp/my-reviews', {
      title: 'My reviews',
      cspName: csps[0]?.name ?? '',
      reviews: reviews.map((r) => ({ ...r, next: nextStep(r, progress.get(r.id)) })),
    });
  });
}
