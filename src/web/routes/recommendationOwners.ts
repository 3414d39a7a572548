import type express from 'express';
import type { Request, Response } from 'express';
import { idParam } from '../../http';
import { LEVEL_LABELS } from '../../recommendations/labels';
import type { WebContext } from '../context';
import { dateFrom, handleForm, render, type PageError } from '../forms';
import { allowRoles } from '../roles';
import { formTexts } from './secretariat/common';

type Values = Record<string, string>;

const LEVEL_OPTIONS = [
  { value: 'local', text: LEVEL_LABELS.local!, hint: 'For agencies in the CSP’s area' },
  {
    value: 'regional',
    text: LEVEL_LABELS.regional!,
    hint: 'For bodies across a region, such as an integrated care board',
  },
  {
    value: 'national',
    text: LEVEL_LABELS.national!,
    hint: 'For a government department or national body: the panel’s secretariat assigns who owns it',
  },
];

/**
 * Who owns each recommendation and by when they answer: its level, the secretariat's triage of
 * national recommendations, an extension of an organisation's response date, and the review's
 * chair, copied into every email about a change of status.
 */
export function recommendationOwnerRoutes(router: express.Router, { services }: WebContext) {
  const { owners, recommendations } = services;

  /** A recommendation with the review it belongs to, found through the user's scope (404 outside it). */
  async function recommendationOf(req: Request, recId: number) {
    const review = await services.reviews.view(
      req.user!,
      await owners.reviewIdOf(req.user!, { recommendationId: recId }),
    );
    const rec = (await recommendations.forReview(req.user!, review.id)).find((r) => r.id === recId)!;
    return { review, rec };
  }

  // ---- Level

  async function levelPage(
    req: Request,
    res: Response,
    extra: { errors?: PageError[]; values?: Values } = {},
    status = 200,
  ) {
    allowRoles(
      req,
      ['secretariat', 'csp'],
      'Only the CSP or the panel secretariat can set the level of a recommendation',
    );
    const recId = idParam(req);
    const { review, rec } = await recommendationOf(req, recId);
    render(
      req,
      res,
      'recommendations/level',
      {
        title: `Level of recommendation ${rec.number} – ${review.reference}`,
        review,
        rec,
        options: LEVEL_OPTIONS,
        values: extra.values ?? { level: rec.level },
        errors: extra.errors,
        backLink: { href: `/reviews/${review.id}/recommendations#rec-${rec.id}`, text: 'Back to the recommendations' },
      },
      status,
    );
  }

  router.get('/recommendations/:id/level', async (req, res) => {
    await levelPage(req, res);
  });

  router.post('/recommendations/:id/level', async (req, res) => {
    const recId = idParam(req);
    const values = formTexts(req.body ?? {}, ['level']);
    await handleForm(
      async () => {
        const { level, changed, reviewId } = await owners.setLevel(req.user!, recId, {
          level: values.level || undefined,
        });
        const done = changed ? (level === 'national' ? 'triage' : 'level') : 'unchanged';
        res.redirect(`/reviews/${reviewId}/recommendations?level=${done}#rec-${recId}`);
      },
      (errors, status) => levelPage(req, res, { errors, values }, status),
      { level: 'The level' },
      { values, choices: ['level'] },
    );
  });

  // ---- Triage (the secretariat)

  router.get('/recommendations/triage', async (req, res) => {
    const waiting = await owners.triageQueue(req.user!);
    render(req, res, 'recommendations/triage', {
      title: 'National recommendations to triage',
      waiting,
      banner:
        req.query.assigned === 'told'
          ? { success: true, text: 'Recommendation assigned: each body’s users are emailed that it is theirs' }
          : req.query.assigned === 'unreached'
            ? {
                success: true,
                text: 'Recommendation assigned. A body with no user account yet was not emailed: add one under Administration, Users, so it can respond.',
              }
            : null,
      backLink: { href: '/national', text: 'Recommendations across all reviews' },
    });
  });

  async function assignPage(
    req: Request,
    res: Response,
    extra: { errors?: PageError[]; chosen?: string[]; newOrganisation?: string } = {},
    status = 200,
  ) {
    const rec = await owners.forTriage(req.user!, idParam(req));
    const bodies = await owners.nationalBodies(req.user!);
    const chosen = new Set(
      extra.chosen ?? rec.linked.filter((l) => l.assigned && rec.triaged).map((l) => String(l.id)),
    );
    render(
      req,
      res,
      'recommendations/assign',
      {
        title: `Assign recommendation ${rec.number} – ${rec.reference}`,
        rec,
        named: rec.linked.map((l) => l.name),
        bodies: bodies.map((b, i) => ({ ...b, index: i, checked: chosen.has(String(b.id)) })),
        newOrganisation: extra.newOrganisation ?? '',
        errors: extra.errors,
        backLink: { href: '/recommendations/triage', text: 'Back to triage' },
      },
      status,
    );
  }

  router.get('/recommendations/:id/assign', async (req, res) => {
    await assignPage(req, res);
  });

  router.post('/recommendations/:id/assign', async (req, res) => {
    const recId = idParam(req);
    const chosen = ([] as unknown[])
      .concat(req.body?.organisationIds ?? [])
      .map(String)
      .filter((v) => v !== '');
    const newOrganisation = formTexts(req.body ?? {}, ['newOrganisation']).newOrganisation!;
    await handleForm(
      async () => {
        const result = await owners.assign(req.user!, recId, {
          organisationIds: chosen.map((v) => (/^\d{1,9}$/.test(v) ? Number(v) : v)),
          newOrganisation,
        });
        res.redirect(`/recommendations/triage?assigned=${result.withoutUsers.length ? 'unreached' : 'told'}`);
      },
      (errors, status) =>
        assignPage(
          req,
          res,
          {
            // The checkboxes' error belongs to the first of them.
            errors: errors.map((e) => (e.field === 'organisationIds' ? { ...e, href: '#organisationIds' } : e)),
            chosen,
            newOrganisation,
          },
          status,
        ),
      {
        organisationIds: 'The departments or national bodies that own it',
        newOrganisation: 'Another department or national body',
      },
      { choices: ['organisationIds'], values: { organisationIds: chosen.join(','), newOrganisation } },
    );
  });

  // ---- Extending an organisation's response date

  async function extendPage(
    req: Request,
    res: Response,
    extra: { errors?: PageError[]; values?: Values } = {},
    status = 200,
  ) {
    allowRoles(req, ['secretariat', 'csp'], 'Only the CSP or the panel secretariat can extend the time to respond');
    const linkId = idParam(req);
    const review = await services.reviews.view(req.user!, await owners.reviewIdOf(req.user!, { partId: linkId }));
    const recs = await recommendations.forReview(req.user!, review.id);
    const rec = recs.find((r) => r.agencies.some((a) => a.id === linkId))!;
    const part = rec.agencies.find((a) => a.id === linkId)!;
    render(
      req,
      res,
      'recommendations/extend',
      {
        title: `Extend the time to respond – ${review.reference}`,
        review,
        rec,
        part,
        // Only a response due and not yet given can be put off; otherwise the page says why.
        extendable: part.responseDueOn !== null && !part.response,
        values: extra.values ?? { reason: part.extensionReason ?? '' },
        errors: extra.errors,
        backLink: { href: `/reviews/${review.id}/recommendations#rec-${rec.id}`, text: 'Back to the recommendations' },
      },
      status,
    );
  }

  router.get('/recommendation-agencies/:id/extend', async (req, res) => {
    await extendPage(req, res);
  });

  router.post('/recommendation-agencies/:id/extend', async (req, res) => {
    const linkId = idParam(req);
    const values = formTexts(req.body ?? {}, ['reason', 'dueOn-day', 'dueOn-month', 'dueOn-year']);
    await handleForm(
      async () => {
        const { reviewId, recommendationId } = await owners.extend(req.user!, linkId, {
          dueOn: dateFrom(values, 'dueOn'),
          reason: values.reason,
        });
        res.redirect(`/reviews/${reviewId}/recommendations?extended=1#rec-${recommendationId}`);
      },
      (errors, status) => extendPage(req, res, { errors, values }, status),
      { dueOn: 'The new date', reason: 'The reason' },
      { values: { ...values, dueOn: dateFrom(values, 'dueOn') ?? '' }, dates: ['dueOn'] },
    );
  });

  // ---- The review's chair

  async function chairPage(
    req: Request,
    res: Response,
    extra: { errors?: PageError[]; values?: Values } = {},
    status = 200,
  ) {
    allowRoles(req, ['secretariat', 'csp'], "Only the CSP or the panel secretariat can record the review's chair");
    const review = await services.reviews.view(req.user!, idParam(req));
    const chair = await owners.chairOf(req.user!, review.id);
    render(
      req,
      res,
      'recommendations/chair',
      {
        title: `The review's chair – ${review.reference}`,
        review,
        values: extra.values ?? chair,
        errors: extra.errors,
        backLink: { href: `/reviews/${review.id}/recommendations`, text: 'Back to the recommendations' },
      },
      status,
    );
  }

  router.get('/reviews/:id/chair', async (req, res) => {
    await chairPage(req, res);
  });

  router.post('/reviews/:id/chair', async (req, res) => {
    const id = idParam(req);
    const values = formTexts(req.body ?? {}, ['name', 'email']);
    await handleForm(
      async () => {
        await owners.setChair(req.user!, id, { name: values.name, email: values.email });
        res.redirect(`/reviews/${id}/recommendations?chair=1`);
      },
      (errors, status) => chairPage(req, res, { errors, values }, status),
      { name: "The chair's name", email: "The chair's email address" },
      { values },
    );
  });
}
