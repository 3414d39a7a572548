/**
 * Documents generated from the recommendations: a progress report (per review, for the CSP and
 * its oversight board, or per agency, across every review addressed to it) and one agency's
 * response to one review's recommendations. Every read goes through the recommendations
 * service, which keeps each user to what they may see.
 */
import { reviewKindValues } from '../letters/reviewKinds';
import type { SettingsService } from './settings';
import type { Db } from '../db/connect';
import { pdfForUser } from '../offThread';
import { longDate } from '../core/dates';
import { compileReport } from '../letters/reportTemplates';
import { letterText } from '../letters/text';
import { ACTION_LABELS } from '../recommendations/labels';
import { OTHER_THEME, THEMES } from '../recommendations/themes';
import type { User } from '../core/user';
import { systemClock, toIsoDate, type Clock } from '../core/clock';
import { ForbiddenError, NotFoundError, ValidationError } from '../core/errors';
import type { Recommendations } from '../recommendations/service';

const progressReport = compileReport('progress_report');
const agencyResponse = compileReport('agency_response');

type Rec = Awaited<ReturnType<Recommendations['forReview']>>[number];
type Agency = Rec['agencies'][number];
type Action = Agency['actions'][number];
type ReviewRec = Rec & { reference: string; pseudonym: string };

/** A generated document: its title, date (YYYY-MM-DD), HTML (every value escaped) and plain text. */
export interface ReportDocument {
  title: string;
  /** A shorter title for the PDF's properties and page footers, which have room for one line. */
  pdfTitle: string;
  date: string;
  filename: string;
  html: string;
  text: string;
}

/** A report's own wording for a response, as a sentence reads it. */
const RESPONSE_WORDS: Record<string, string> = {
  accepted: 'Accepted',
  partially_accepted: 'Accepted in part',
  not_accepted: 'Not accepted',
};
/** How the agency's response document answers "Accepted:", as the MPS response to the IPCC did. */
const ACCEPTED_LABELS: Record<string, string> = {
  accepted: 'Yes',
  partially_accepted: 'Yes (in part)',
  not_accepted: 'No',
};

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const isAccepted = (a: Agency) => a.response === 'accepted' || a.response === 'partially_accepted';

/** An `organisationId` query value: absent, or a positive whole number. */
export function organisationIdParam(value: unknown): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !/^\d{1,9}$/.test(value) || Number(value) <= 0) {
    throw ValidationError.field('organisationId', 'must be the id of an organisation');
  }
  return Number(value);
}

/**
 * The overall figures. A recommendation counts as responded to once every agency it is
 * addressed to has responded, as accepted once any of them accepted it (in full or in part),
 * and as implemented once every agency that accepted it has implemented it (and none is
 * still to respond). Overdue actions are counted one by one.
 */
export function figures(recs: Rec[]) {
  let responded = 0;
  let accepted = 0;
  let implemented = 0;
  let overdue = 0;
  for (const rec of recs) {
    const agencies = rec.agencies;
    if (agencies.length && agencies.every((a) => a.response)) responded += 1;
    if (agencies.some(isAccepted)) accepted += 1;
    if (
      agencies.some((a) => a.stage === 'implemented' || a.stage === 'already_in_place') &&
      agencies.every((a) => a.stage === 'implemented' || a.stage === 'already_in_place' || a.stage === 'not_accepted')
    ) {
      implemented += 1;
    }
    overdue += agencies.flatMap((a) => a.actions).filter((x) => x.overdue).length;
  }
  return { recommendations: recs.length, responded, accepted, implemented, overdueActions: overdue };
}

/** Themes in the fixed list's order, then any others alphabetically, then "Other". */
export function groupByTheme<T extends { themes: unknown }>(recs: T[]): { name: string; recommendations: T[] }[] {
  const groups = new Map<string, T[]>();
  for (const rec of recs) {
    const themes = Array.isArray(rec.themes)
      ? [...new Set(rec.themes.filter((t): t is string => typeof t === 'string').map((t) => t.trim()))].filter(Boolean)
      : [];
    for (const theme of themes.length ? themes : [OTHER_THEME]) {
      if (!groups.has(theme)) groups.set(theme, []);
      groups.get(theme)!.push(rec);
    }
  }
  const fixed = THEMES as readonly string[];
  const rank = (name: string) =>
    name === OTHER_THEME ? fixed.length + 1 : fixed.includes(name) ? fixed.indexOf(name) : fixed.length;
  return [...groups.entries()]
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([name, recommendations]) => ({ name, recommendations }));
}

function actionModel(a: Action) {
  const latest = a.updates[a.updates.length - 1];
  return {
    description: a.description,
    owner: a.owner,
    targetDate: a.targetDate,
    status: ACTION_LABELS[a.status] ?? a.status,
    overdue: a.overdue,
    latestUpdate: latest ? { on: latest.on, text: latest.text } : null,
  };
}

function implementedLabel(a: Agency): string {
  if (a.stage === 'implemented') {
    const on = a.implementedAt ? ` on ${longDate(a.implementedAt)}` : '';
    return `Yes${on}${a.evidence ? `. Evidence: ${a.evidence}` : ''}`;
  }
  if (a.stage === 'already_in_place') return 'Already in place before the review';
  if (a.stage === 'not_accepted') return 'No (not accepted)';
  if (a.stage === 'awaiting_response') return 'No (no response yet)';
  return a.reopenedReason ? `No (reopened: ${a.reopenedReason})` : 'No';
}

function agencyModel(a: Agency, showName: boolean) {
  return {
    name: showName ? a.name : null,
    response: a.response ? (RESPONSE_WORDS[a.response] ?? a.response) : 'None yet',
    rationale: a.rationale || null,
    actions: a.actions.map(actionModel),
    actionsNote: isAccepted(a) && a.actions.length === 0 ? 'No actions recorded yet.' : null,
    implemented: implementedLabel(a),
  };
}

/** Template output without the blank lines block helpers leave. */
const tidy = (html: string) => html.replace(/\n\s*\n/g, '\n');

const safeFilename = (name: string) => name.replace(/[\\/:*?"<>|\r\n]+/g, ' ').trim();
/** The footer holds the title, the date and "Page n of m" on one line of A4. */
const footerTitle = (title: string) => (title.length > 64 ? `${title.slice(0, 63).trimEnd()}…` : title);

export function createReports(
  db: Db,
  recommendations: Recommendations,
  clock: Clock = systemClock,
  settings?: SettingsService,
) {
  const today = () => toIsoDate(clock.now());
  /** What the reviews are called, from the settings (the shipped name where none are given). */
  const kindNames = async () => reviewKindValues(settings ? (await settings.get()).reviewKind : 'dhr');

  function progressDocument(
    names: ReturnType<typeof reviewKindValues>,
    recs: (Rec & { reviewLabel: string | null })[],
    model: {
      title: string;
      pdfTitle: string;
      from: string;
      filename: string;
      review: { reference: string; pseudonym: string; cspName: string } | null;
      organisation: string | null;
      reviews: { reference: string; pseudonym: string }[];
      showAgencyNames: boolean;
    },
  ): ReportDocument {
    const f = figures(recs);
    const date = today();
    const html = tidy(
      progressReport({
        ...names,
        title: model.title,
        from: model.from,
        date,
        review: model.review,
        organisation: model.organisation,
        reviews: model.reviews,
        figures: {
          recommendations: count(f.recommendations, 'recommendation'),
          responded: f.responded,
          accepted: f.accepted,
          implemented: f.implemented,
          overdue: count(f.overdueActions, 'overdue action'),
        },
        themes: groupByTheme(recs).map((theme) => ({
          name: theme.name,
          recommendations: theme.recommendations.map((rec) => ({
            number: rec.number,
            text: rec.text,
            reviewLabel: rec.reviewLabel,
            awaitingTriage: rec.awaitingTriage,
            // Until triage, the bodies the report named are not yet its owners.
            agencies: rec.awaitingTriage ? [] : rec.agencies.map((a) => agencyModel(a, model.showAgencyNames)),
          })),
        })),
      }),
    );
    return {
      title: model.title,
      pdfTitle: footerTitle(model.pdfTitle),
      date,
      filename: safeFilename(model.filename),
      html,
      text: letterText(html),
    };
  }

  async function organisationName(id: number): Promise<string> {
    const org = await db('organisations').where({ id }).first('name');
    if (!org) throw new NotFoundError('No organisation with this id');
    return org.name as string;
  }

  /**
   * Every recommendation addressed to an organisation, with only that organisation's response:
   * an agency user's own (the organisation named must be theirs), or any organisation's for the
   * panel secretariat. With the organisation's name: its part of a recommendation names it.
   */
  async function addressedTo(user: User, organisationId: number | undefined) {
    if (user.role === 'agency') {
      if (organisationId !== undefined && organisationId !== user.organisationId) {
        throw new NotFoundError('No organisation with this id');
      }
      const recs = (await recommendations.forAgency(user)) as ReviewRec[];
      const orgId = user.organisationId!;
      return {
        organisationId: orgId,
        recs,
        organisation: recs[0]?.agencies[0]?.name ?? (await organisationName(orgId)),
      };
    }
    if (user.role !== 'secretariat') {
      throw new ForbiddenError('This report is for agency users, and for the panel secretariat naming an organisation');
    }
    if (organisationId === undefined) throw ValidationError.field('organisationId', 'is required');
    const organisation = await organisationName(organisationId);
    const recs = (await recommendations.addressedTo(organisationId)) as ReviewRec[];
    return { organisationId, recs, organisation };
  }

  return {
    /** Progress on one review's recommendations, for the CSP and its oversight board. */
    async reviewReport(user: User, reviewId: number): Promise<ReportDocument> {
      const { recommendations: recs, ...of } = await recommendations.ofReview(user, reviewId);
      const review = { reference: of.reference, pseudonym: of.pseudonym, csp_name: of.cspName };
      const title = `Progress on the recommendations of ${review.reference} (${review.pseudonym})`;
      return progressDocument(
        await kindNames(),
        recs.map((r) => ({ ...r, reviewLabel: null })),
        {
          title,
          pdfTitle: `${review.reference} (${review.pseudonym}): progress on the recommendations`,
          from: review.csp_name,
          filename: `${review.reference} (${review.pseudonym}) recommendations progress report.pdf`,
          review: { reference: review.reference, pseudonym: review.pseudonym, cspName: review.csp_name },
          organisation: null,
          reviews: [],
          showAgencyNames: true,
        },
      );
    },

    /** Progress on every recommendation addressed to an organisation, across every review. */
    async agencyReport(user: User, organisationId?: number): Promise<ReportDocument> {
      const { recs, organisation } = await addressedTo(user, organisationId);
      const reviews = [...new Map(recs.map((r) => [r.reviewId, { reference: r.reference, pseudonym: r.pseudonym }]))];
      return progressDocument(
        await kindNames(),
        recs.map((r) => ({ ...r, reviewLabel: `${r.reference} (${r.pseudonym})` })),
        {
          title: `Progress on the recommendations addressed to ${organisation}`,
          pdfTitle: `${organisation}: progress on recommendations`,
          from: organisation,
          filename: `${organisation} recommendations progress report.pdf`,
          review: null,
          organisation,
          reviews: reviews.map(([, r]) => r),
          showAgencyNames: false,
        },
      );
    },

    /**
     * One organisation's response to one review's recommendations, point by point: an agency
     * user's own, or (for those who can see the review) the organisation named.
     */
    async agencyResponse(user: User, reviewId: number, organisationId?: number): Promise<ReportDocument> {
      let recs: Rec[];
      let review: { reference: string; pseudonym: string; csp_name: string };
      if (user.role === 'agency') {
        if (organisationId !== undefined && organisationId !== user.organisationId) {
          throw new NotFoundError('No organisation with this id');
        }
        const mine = (await recommendations.forAgency(user)).filter((r) => r.reviewId === reviewId);
        if (!mine.length) throw new NotFoundError('No review with this id');
        recs = mine;
        review = { reference: mine[0]!.reference, pseudonym: mine[0]!.pseudonym, csp_name: mine[0]!.cspName };
      } else {
        const of = await recommendations.ofReview(user, reviewId);
        if (organisationId === undefined) throw ValidationError.field('organisationId', 'is required');
        recs = of.recommendations
          .map((r) => ({ ...r, agencies: r.agencies.filter((a) => a.organisationId === organisationId) }))
          .filter((r) => r.agencies.length > 0);
        if (!recs.length) throw new NotFoundError('No recommendation of this review is addressed to this organisation');
        review = { reference: of.reference, pseudonym: of.pseudonym, csp_name: of.cspName };
      }
      // Each recommendation here has the organisation's part, which names it.
      const organisation = recs[0]!.agencies[0]!.name;
      const title = `Response of ${organisation} to the recommendations of ${review.reference} (${review.pseudonym})`;
      const date = today();
      const html = tidy(
        agencyResponse({
          ...(await kindNames()),
          title,
          organisation,
          date,
          reference: review.reference,
          pseudonym: review.pseudonym,
          cspName: review.csp_name,
          figures: { recommendations: count(recs.length, 'recommendation') },
          recommendations: recs.map((rec) => {
            const a = rec.agencies[0]!;
            return {
              number: rec.number,
              text: rec.text,
              responded: Boolean(a.response),
              accepted: a.response ? (ACCEPTED_LABELS[a.response] ?? a.response) : 'Not yet decided',
              rationale: a.rationale || null,
              actions: a.actions.map(actionModel),
              note:
                a.response && !a.rationale && a.actions.length === 0 ? 'No rationale or actions recorded yet.' : null,
            };
          }),
        }),
      );
      return {
        title,
        pdfTitle: footerTitle(`${review.reference}: response of ${organisation}`),
        date,
        filename: safeFilename(`${review.reference} (${review.pseudonym}) response of ${organisation}.pdf`),
        html,
        text: letterText(html),
      };
    },

    /** A document laid out as an A4 PDF. */
    async pdf(user: User, doc: ReportDocument): Promise<{ filename: string; content: Buffer }> {
      return {
        filename: doc.filename,
        content: await pdfForUser(user.id, doc.html, { title: doc.pdfTitle, date: doc.date }),
      };
    },
  };
}

export type Reports = ReturnType<typeof createReports>;
