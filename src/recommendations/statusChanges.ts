import type { Conn } from '../db/connect';
import { addCalendarDays } from '../clocks/days';
import type { Clock } from '../core/clock';
import type { User } from '../core/user';
import type { Outbox } from '../mail/outbox';
import type { HouseTemplates } from '../services/houseTemplates';
import type { SettingsService } from '../services/settings';
import { SCALE_LABELS, scaleStatus, type ScaleStatus } from './status';
import { RESPONSE_LABELS } from './labels';

export interface StatusDeps {
  settings: SettingsService;
  outbox: Outbox;
  templates: HouseTemplates;
  publicUrl: string;
}

/** The addresses an organisation's recommendations reach: its agency users who can still sign in. */
export function organisationEmails(conn: Conn, organisationId: number): Promise<string[]> {
  return conn('users')
    .where({ role: 'agency', organisation_id: organisationId })
    .whereNull('disabled_at')
    .pluck('email');
}

/** The day a part assigned `today` must be answered by: a setting, 56 days unless the secretariat changed it. */
export async function responseDueFrom(deps: Pick<StatusDeps, 'settings'>, conn: Conn, today: string) {
  return addCalendarDays(today, (await deps.settings.get(conn)).recommendationResponseDays);
}

/**
 * Keeps each organisation's stored status on the Commissioner's scale in step with its facts
 * (response, actions done, outcome achieved), and tells the CSP's contacts and the review's
 * chair each time it changes, or the organisation changes its response (accepted, then
 * declined, is "not met" both times): a lock and a read, and when it changed an update, a
 * line of the audit and an email, all in the caller's transaction. `previousResponse` is the
 * response before the caller's change, when it changed one.
 */
export function createStatusChanges(clock: Clock, deps: StatusDeps) {
  return async function restatus(
    trx: Conn,
    linkId: number,
    actor: User,
    previousResponse?: string | null,
  ): Promise<ScaleStatus> {
    // Changes to one part take turns from here (two actions completed at once, say), and the read
    // below starts after the other's commit: a change of status is stored and told once.
    await trx('recommendation_agencies').where({ id: linkId }).forUpdate().first('id');
    const row = await trx('recommendation_agencies as ra')
      .join('recommendations as rec', 'rec.id', 'ra.recommendation_id')
      .join('organisations as o', 'o.id', 'ra.organisation_id')
      .join('reviews as r', 'r.id', 'rec.review_id')
      .join('csps as c', 'c.id', 'r.csp_id')
      .where('ra.id', linkId)
      .first(
        'ra.status',
        'ra.response',
        'ra.implemented_at',
        'ra.organisation_id',
        'rec.id as recommendation_id',
        'rec.number',
        'rec.review_id',
        'r.reference',
        'r.pseudonym',
        'r.chair_email',
        'c.name as csp_name',
        'c.contacts',
        'o.name as organisation',
        trx.raw(
          `(select count(*) from recommendation_actions a
             where a.recommendation_agency_id = ra.id and a.status = 'completed')::int as actions_done`,
        ),
      );
    const next = scaleStatus({
      response: row.response,
      outcomeAchieved: row.implemented_at !== null,
      actionsDone: row.actions_done,
    });
    const responseChanged = previousResponse !== undefined && previousResponse !== row.response;
    if (next === row.status && !responseChanged) return next;
    if (next !== row.status) {
      await trx('recommendation_agencies').where({ id: linkId }).update({ status: next });
      await trx('recommendation_events').insert({
        review_id: row.review_id,
        recommendation_id: row.recommendation_id,
        organisation_id: row.organisation_id,
        type: 'STATUS_CHANGED',
        payload: JSON.stringify({ from: row.status, to: next }),
        actor_id: actor.id,
        at: clock.now(),
      });
    }
    const contacts = (row.contacts as { email: string }[]).map((c) => c.email);
    const chair = row.chair_email as string | null;
    const to = contacts.length ? contacts : chair ? [chair] : [];
    const copied = (address: string) => to.some((a) => a.toLowerCase() === address.toLowerCase());
    if (to.length === 0) return next;
    const { dhrMailbox } = await deps.settings.get(trx);
    await deps.outbox.enqueue(trx, {
      kind: 'recommendation_status_changed',
      reviewId: row.review_id,
      letterId: null,
      template: 'recommendation_status_changed',
      to,
      cc: chair && !copied(chair) ? [chair] : [],
      replyTo: dhrMailbox,
      ...(await deps.templates.renderEmail(trx, 'recommendation_status_changed', {
        reference: row.reference,
        pseudonym: row.pseudonym,
        cspName: row.csp_name,
        number: row.number,
        organisation: row.organisation,
        status: SCALE_LABELS[next],
        previousStatus: SCALE_LABELS[row.status as ScaleStatus],
        statusChanged: next !== row.status,
        response: row.response ? (RESPONSE_LABELS[row.response] ?? row.response) : 'None yet',
        url: `${deps.publicUrl}/reviews/${row.review_id}/recommendations#rec-${row.recommendation_id}`,
      })),
      attachLetter: false,
    });
    return next;
  };
}

export type Restatus = ReturnType<typeof createStatusChanges>;
