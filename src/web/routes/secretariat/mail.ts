import type express from 'express';
import type { Request, Response } from 'express';
import { handleForm, render, type PageError } from '../../forms';
import type { WebContext } from '../../context';
import { idParam } from '../../../http';
import { allowRoles } from '../../roles';
import { queryText, searchQuery } from './common';
import { paginate } from './pagination';

/** Emails on one page of Mail. */
const PAGE_SIZE = 50;

const STATUSES = ['queued', 'sent', 'failed'] as const;
const STATUS_TAGS = { queued: 'blue', sent: 'green', failed: 'red' } as const;
/** An outcome letter's email has the letter's kind: the outcome. */
const KINDS: Record<string, string> = {
  publish: 'Feedback letter: publish',
  publish_after_changes: 'Feedback letter: publish after changes',
  resubmit: 'Feedback letter: revise and resubmit',
  acknowledgement: 'Acknowledgement',
  publication_confirmation: 'Publication confirmed',
  revision_reminder: 'Revision reminder',
  publication_reminder: 'Publication reminder',
  draft_letter_alert: 'Draft letter alert',
  review_submitted: 'Report submitted',
  revisions_submitted: 'Revisions submitted',
  items_returned: 'Items returned',
  review_approved: 'Approved for publication',
  publication_recorded: 'Publication recorded',
  delivery_failed: 'Delivery failed',
  recommendation_reminder: 'Recommendation reminder',
  password_reset: 'Password link',
};

const SECRETARIAT_ONLY = 'Only the panel secretariat can see the mail';

/** How the pages show a message's kind and status. */
function describe<T extends { kind: string; status: string; to: string[]; cc: string[] }>(m: T) {
  return {
    ...m,
    kindText: KINDS[m.kind] ?? m.kind.replace(/_/g, ' '),
    statusText: m.status.charAt(0).toUpperCase() + m.status.slice(1),
    statusTag: STATUS_TAGS[m.status as keyof typeof STATUS_TAGS] ?? 'grey',
    toText: m.to.join(', '),
    ccText: m.cc.join(', '),
  };
}

/** The outbox: every email the service wrote, as sent, and trying a failed one again. */
export function mailRoutes(router: express.Router, { services }: WebContext) {
  const { mail } = services;

  router.get('/mail', async (req, res) => {
    const user = allowRoles(req, ['secretariat'], SECRETARIAT_ONLY);
    // As with the reviews list, a filter that cannot be one is dropped: a bookmark keeps working.
    const asked = queryText(req.query.status);
    const status = (STATUSES as readonly string[]).includes(asked) ? asked : '';
    const q = searchQuery(req.query.q);
    const pageAsked = queryText(req.query.page);
    const given = { ...(status ? { status } : {}), ...(q ? { q } : {}) };
    const search = (page: number) =>
      mail.search(user, { ...given, limit: String(PAGE_SIZE), offset: String((page - 1) * PAGE_SIZE) });
    let page = /^\d{1,6}$/.test(pageAsked) && Number(pageAsked) >= 1 ? Number(pageAsked) : 1;
    let { messages, total } = await search(page);
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    // A page past the end (the list shrank since the link was made) shows the last one.
    if (page > pages) {
      page = pages;
      ({ messages, total } = await search(page));
    }
    const href = (p: number) => {
      const params = new URLSearchParams({ ...given, ...(p > 1 ? { page: String(p) } : {}) });
      const qs = params.toString();
      return qs ? `/mail?${qs}` : '/mail';
    };
    render(req, res, 'secretariat/mail/index', {
      title: page > 1 ? `Mail (page ${page} of ${pages})` : status ? `Mail: ${status}` : 'Mail',
      messages: messages.map(describe),
      total,
      from: total === 0 ? 0 : (page - 1) * PAGE_SIZE + 1,
      to: (page - 1) * PAGE_SIZE + messages.length,
      filtered: Object.keys(given).length > 0,
      pagination: paginate(page, pages, href),
      values: { status, q },
      statusOptions: [
        { value: '', text: 'Any status' },
        { value: 'queued', text: 'Queued' },
        { value: 'sent', text: 'Sent' },
        { value: 'failed', text: 'Failed' },
      ],
    });
  });

  async function show(req: Request, res: Response, id: number, errors?: PageError[], status = 200) {
    const message = await mail.get(req.user!, id);
    render(
      req,
      res,
      'secretariat/mail/show',
      {
        title: message.subject,
        message: describe(message),
        errors,
        banner: req.query.retried ? { success: true, text: 'The email will be sent again shortly' } : null,
        backLink: { href: '/mail', text: 'All mail' },
      },
      status,
    );
  }

  router.get('/mail/:id', async (req, res) => {
    allowRoles(req, ['secretariat'], SECRETARIAT_ONLY);
    await show(req, res, idParam(req));
  });

  router.get('/mail/:id/eml', async (req, res) => {
    allowRoles(req, ['secretariat'], SECRETARIAT_ONLY);
    const id = idParam(req);
    res
      .type('message/rfc822')
      .attachment(`message-${id}.eml`)
      .send(await mail.raw(req.user!, id));
  });

  router.post('/mail/:id/retry', async (req, res) => {
    allowRoles(req, ['secretariat'], 'Only the panel secretariat can send mail again');
    const id = idParam(req);
    await handleForm(
      async () => {
        await mail.retry(req.user!, id);
        res.redirect(`/mail/${id}?retried=1`);
      },
      (errors, status) => show(req, res, id, errors, status),
    );
  });
}
