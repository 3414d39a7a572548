import type express from 'express';
import { ITEM_STATUS } from '../../../workflow/words';
import type { Request, Response } from 'express';
import type { User } from '../../../core/user';
import { NotFoundError } from '../../../core/errors';
import { isHomeOffice } from '../../../core/scope';
import type { Services } from '../../../services';
import { handleForm, render, type PageError } from '../../forms';
import type { WebContext } from '../../context';
import { idParam } from '../../../http';
import { expectedVersionOf } from '../../eventForm';
import { groupAreas } from '../../../letters/areas';
import { allowRoles } from '../../roles';
import { friendlier } from './common';

type Review = Awaited<ReturnType<Services['reviews']['view']>>;
type Round = Review['rounds'][number];
type Item = Round['items'][number];

const OUTCOME_LETTERS = ['publish', 'publish_after_changes', 'resubmit'];

/** How the task list shows each item's status, in the words every page uses: what needs doing as tags, the rest as plain text. */
const STATUS: Record<string, { text: string; tag?: string }> = {
  open: { text: ITEM_STATUS.open, tag: 'blue' },
  returned: { text: ITEM_STATUS.returned, tag: 'red' },
  addressed: { text: ITEM_STATUS.addressed },
  accepted: { text: ITEM_STATUS.accepted },
};

const ITEM_LABELS = { response: 'How the report has been changed', reportReference: 'Where in the report' };
const ITEM_BETTER = {
  response: {
    'must not be empty': 'Enter how the report has been changed',
    'is required': 'Enter how the report has been changed',
  },
};
const UPLOAD_BETTER = { file: { 'choose a file to upload': 'Choose the revised report to upload' } };

/**
 * The current round as this user may see its items: the Home Office always, the CSP
 * once the feedback letter has gone (until then the outcome may still change).
 */
function currentRound(review: Review, user: User): Round | null {
  const round = review.rounds.at(-1);
  if (!round || (!isHomeOffice(user) && !round.letterSentAt)) return null;
  return round;
}

/**
 * The items as GOV.UK task list sections: each heading's items under it, grouped as the letter groups
 * them (groupAreas, which their labels follow), and consecutive items without a heading in one list.
 */
function sections(review: Review, items: Item[]) {
  const taskOf = (item: Item) => ({
    id: item.id,
    label: item.label,
    points: item.points,
    text: item.text,
    href: `/reviews/${review.id}/items/${item.id}`,
    status: STATUS[item.status] ?? { text: item.status },
    hint:
      item.status === 'returned'
        ? 'The Home Office returned your answer: see why and answer again'
        : item.reportReference && item.status !== 'open'
          ? `Changed at ${item.reportReference}`
          : '',
  });
  const out: { heading: string | null; tasks: ReturnType<typeof taskOf>[] }[] = [];
  for (const group of groupAreas(items)) {
    const tasks = group.items.map(taskOf);
    const last = out.at(-1);
    if (group.heading === null && last?.heading === null) last.tasks.push(...tasks);
    else out.push({ heading: group.heading, tasks });
  }
  return out;
}

const answered = (item: Item) => item.status === 'addressed' || item.status === 'accepted';

function canAnswer(review: Review, item: Item): boolean {
  return (
    review.state === 'revising' &&
    review.allowedEvents.includes('RESPOND_TO_ITEM') &&
    (item.status === 'open' || item.status === 'returned' || item.status === 'addressed')
  );
}

/** Revision items: the task list of the current round, one page per item, submitting, the revised report. */
export function revisionRoutes(router: express.Router, ctx: WebContext) {
  const { services } = ctx;
  const who = (req: Request) =>
    allowRoles(req, ['csp', 'secretariat'], 'Only the CSP and the panel secretariat work on revision items.');

  async function itemsPage(req: Request, res: Response, extra: { errors?: PageError[] } = {}, status = 200) {
    const user = who(req);
    const review = await services.reviews.view(user, idParam(req));
    const round = currentRound(review, user);
    const items = round?.items ?? [];
    const done = items.filter(answered).length;
    const letterSentAt = round?.letterSentAt ?? null;
    const saved =
      typeof req.query.saved === 'string' ? items.find((i) => i.id === Number(req.query.saved))?.label : undefined;
    render(
      req,
      res,
      'csp/items',
      {
        title: `Revision items – ${review.reference}`,
        review,
        round,
        sections: sections(review, items),
        total: items.length,
        answered: done,
        allAnswered: items.length > 0 && done === items.length,
        revising: review.state === 'revising',
        canSubmit: review.allowedEvents.includes('SUBMIT_REVISIONS'),
        resubmit: round?.outcome === 'resubmit',
        canUpload: round?.outcome === 'resubmit' && review.state === 'revising' && review.canAttachDocuments,
        revisedReports: letterSentAt
          ? review.documents.filter(
              (d) => d.kind === 'revised_report' && Date.parse(d.uploadedAt!) > Date.parse(letterSentAt),
            )
          : [],
        letter: round
          ? review.letters.find(
              (l) => l.round === round.number && l.status === 'sent' && OUTCOME_LETTERS.includes(l.kind),
            )
          : undefined,
        banner: saved
          ? { success: true, text: `Your answer to item ${saved} is saved` }
          : req.query.uploaded
            ? { success: true, text: 'Revised report uploaded' }
            : null,
        errors: extra.errors,
        backLink: { href: `/reviews/${review.id}`, text: `Back to ${review.reference}` },
      },
      status,
    );
  }

  /** The review and one item of its current round; anything else is not found. */
  async function findItem(user: User, reviewId: number, itemId: number) {
    const review = await services.reviews.view(user, reviewId);
    const round = currentRound(review, user);
    const item = round?.items.find((i) => i.id === itemId);
    if (!round || !item) throw new NotFoundError('No revision item with this id in the current round');
    return { review, round, item, label: item.label };
  }

  async function itemPage(
    req: Request,
    res: Response,
    extra: { errors?: PageError[]; values?: Record<string, string> } = {},
    status = 200,
  ) {
    const user = who(req);
    const { review, round, item, label } = await findItem(user, idParam(req), idParam(req, 'itemId'));
    render(
      req,
      res,
      'csp/item',
      {
        title: `Revision item ${label} – ${review.reference}`,
        review,
        round,
        item,
        label,
        status: STATUS[item.status],
        canAnswer: canAnswer(review, item),
        values: extra.values ?? { response: item.response ?? '', reportReference: item.reportReference ?? '' },
        errors: extra.errors,
        backLink: { href: `/reviews/${review.id}/items`, text: 'All revision items' },
      },
      status,
    );
  }

  router.get('/reviews/:id/items', async (req, res) => {
    await itemsPage(req, res);
  });

  router.get('/reviews/:id/items/:itemId', async (req, res) => {
    await itemPage(req, res);
  });

  router.post('/reviews/:id/items/:itemId', async (req, res) => {
    const user = who(req);
    const id = idParam(req);
    const itemId = idParam(req, 'itemId');
    await findItem(user, id, itemId);
    const values = {
      response: String(req.body.response ?? ''),
      reportReference: String(req.body.reportReference ?? ''),
    };
    await handleForm(
      async () => {
        await services.reviews.sendEvent(user, id, {
          type: 'RESPOND_TO_ITEM',
          itemId,
          response: values.response,
          reportReference: values.reportReference.trim() || null,
        });
        res.redirect(`/reviews/${id}/items?saved=${itemId}`);
      },
      (errors, status) => itemPage(req, res, { errors: friendlier(errors, ITEM_BETTER), values }, status),
      ITEM_LABELS,
    );
  });

  /** Check your answers: every item with its answer, the revised report, and a declaration before submitting. */
  async function checkPage(req: Request, res: Response, errors?: PageError[], status = 200) {
    const user = who(req);
    const review = await services.reviews.view(user, idParam(req));
    const round = currentRound(review, user);
    if (!errors && (!round || !review.allowedEvents.includes('SUBMIT_REVISIONS')))
      return res.redirect(`/reviews/${review.id}/items`);
    const items = round?.items ?? [];
    const letterSentAt = round?.letterSentAt ?? null;
    render(
      req,
      res,
      'csp/check-revisions',
      {
        title: `Check your answers before submitting your revisions – ${review.reference}`,
        review,
        round,
        sections: sections(review, items).map((section) => ({
          ...section,
          tasks: section.tasks.map((task) => {
            const item = items.find((i) => i.id === task.id)!;
            return {
              ...task,
              response: item.response,
              reportReference: item.reportReference,
              accepted: item.status === 'accepted',
              changeable: canAnswer(review, item),
            };
          }),
        })),
        resubmit: round?.outcome === 'resubmit',
        revisedReports: letterSentAt
          ? review.documents.filter(
              (d) => d.kind === 'revised_report' && Date.parse(d.uploadedAt!) > Date.parse(letterSentAt),
            )
          : [],
        errors,
        backLink: { href: `/reviews/${review.id}/items`, text: 'All revision items' },
      },
      status,
    );
  }

  router.get('/reviews/:id/submit-revisions', async (req, res) => {
    await checkPage(req, res);
  });

  router.post('/reviews/:id/submit-revisions', async (req, res) => {
    const user = who(req);
    const id = idParam(req);
    const expectedVersion = expectedVersionOf(req.body);
    await handleForm(
      async () => {
        await services.reviews.sendEvent(user, id, { type: 'SUBMIT_REVISIONS', expectedVersion });
        res.redirect(`/reviews/${id}/confirmation/revisions-submitted`);
      },
      (errors, status) => checkPage(req, res, errors, status),
    );
  });

  router.post('/reviews/:id/revised-report', ctx.upload.single('file'), async (req, res) => {
    ctx.csrf.check(req);
    const user = who(req);
    const id = idParam(req);
    await handleForm(
      async () => {
        await services.reviews.attachDocument(user, id, {
          kind: 'revised_report',
          filename: req.file?.originalname ?? '',
          bytes: req.file?.buffer ?? Buffer.alloc(0),
        });
        res.redirect(`/reviews/${id}/items?uploaded=1#revised-report`);
      },
      (errors, status) => itemsPage(req, res, { errors: friendlier(errors, UPLOAD_BETTER) }, status),
      { file: 'The file', kind: 'Kind of document' },
    );
  });
}
