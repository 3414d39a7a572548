import type express from 'express';
import type { Request, Response } from 'express';
import { BLOCKS, type BlockName } from '../../letters/catalogue';
import { ForbiddenError } from '../../core/errors';
import { doneBanner } from '../../workflow/events';
import { dateFrom, handleForm, inGovukWords, render, type PageError } from '../forms';
import type { WebContext } from '../context';
import { idParam } from '../../http';
import type { Services } from '../../services';
import { formText, linesOf } from './secretariat/common';

type Letter = Awaited<ReturnType<Services['letters']['get']>>;
type Draft = NonNullable<Letter['draft']>;

/** A part of the draft as the paragraphs form carries it: a block or fixed markup stays, a paragraph may change. */
interface FormPart {
  kind: 'block' | 'fixed' | 'paragraph';
  /** p, h2 or h3: how the paragraph stands in the letter. */
  tag?: string;
  /** The block's name, or the id of a fixed part or paragraph ('' for a paragraph added on this form). */
  ref: string;
  text: string;
  remove: boolean;
  status?: string;
  template?: string | null;
}

/** How the draft page names each block, and where the secretariat changes what it shows. */
const BLOCK_WORDS: Record<BlockName, { title: string; change?: 'addressing' | 'outcome' }> = {
  letterhead: { title: 'The letterhead', change: 'addressing' },
  address: { title: 'The addressee', change: 'addressing' },
  date: { title: "The letter's date", change: 'addressing' },
  salutation: { title: 'The salutation', change: 'addressing' },
  commendations: { title: 'What the panel commended', change: 'outcome' },
  areas: { title: "The panel's areas", change: 'outcome' },
  outstanding: { title: 'The revision items still open' },
  comments: { title: "The panel's comments on the decision" },
  signature: { title: "The signatory's name and title", change: 'addressing' },
};

/** How each letter is named on its page. */
const KIND_NAMES: Record<string, string> = {
  publish: 'feedback, publish',
  publish_after_changes: 'feedback, publish after changes',
  resubmit: 'feedback, revise and resubmit',
  acknowledgement: 'acknowledgement of the submission',
  review_decision: "the panel's view of the decision not to hold a review",
  revision_reminder: 'reminder of the revision items',
  publication_reminder: 'reminder to record the publication',
  publication_confirmation: 'confirmation of the publication',
};

const BANNERS: Record<string, string> = {
  paragraphs: 'The letter’s paragraphs are saved',
  addressing: 'The letter’s date, addressee and signature are saved',
  readdressed: 'The draft is re-addressed from the CSP’s contact and the letter settings as they are now',
};

function partsOf(draft: Draft): FormPart[] {
  return draft.content.map((part) =>
    part.type === 'block'
      ? { kind: 'block', ref: part.name, text: '', remove: false }
      : part.type === 'fixed'
        ? { kind: 'fixed', ref: String(part.id), text: part.text, remove: false }
        : {
            kind: 'paragraph',
            ref: String(part.id),
            tag: part.tag,
            text: part.text,
            remove: false,
            status: part.status,
            template: part.template,
          },
  );
}

function partsFrom(body: Record<string, unknown>): FormPart[] {
  const count = Math.min(Math.max(Number(body.parts) || 0, 0), 300);
  return Array.from({ length: count }, (_, i) => {
    const kind = formText(body[`part-${i}-kind`]);
    return {
      kind: kind === 'block' || kind === 'fixed' ? kind : 'paragraph',
      ref: formText(body[`part-${i}-ref`]),
      text: formText(body[`part-${i}-text`]),
      remove: body[`part-${i}-remove`] === 'yes',
    };
  });
}

/** The draft page, and the pages that change a draft: its paragraphs, its addressing, re-addressing it. */
export function letterRoutes(router: express.Router, { services }: WebContext) {
  async function show(
    req: Request,
    res: Response,
    id: number,
    extra: { errors?: PageError[]; parts?: FormPart[]; notice?: string } = {},
    status = 200,
  ) {
    const letter = await services.letters.get(req.user!, id);
    const review = await services.reviews.view(req.user!, letter.reviewId);
    const draft = letter.draft;
    const canEdit = draft !== null && req.user!.role === 'secretariat';
    const parts = extra.parts ?? (draft ? partsOf(draft) : []);
    let paragraph = 0;
    const saved =
      typeof req.query.saved === 'string' && Object.hasOwn(BANNERS, req.query.saved)
        ? BANNERS[req.query.saved]
        : undefined;
    const done = doneBanner(req.query.done);
    render(
      req,
      res,
      'letters/show',
      {
        title: `${draft ? 'Draft letter' : 'Letter'}: ${KIND_NAMES[letter.kind]} – ${review.reference}`,
        kindName: KIND_NAMES[letter.kind],
        letter,
        review,
        draft,
        canEdit,
        canSend: draft !== null && review.allowedEvents.includes('SEND_LETTER') && !draft.unprintable.length,
        cannotReach: draft !== null ? review.undeliverable : null,
        unprintable: draft?.unprintable.map((c) => `“${c}”`).join(', '),
        readdressRows: draft?.readdress ? readdressRows(draft) : [],
        templateLink: `/admin/templates/${letter.kind}`,
        outcomeLink:
          review.meeting && letter.round
            ? `/meetings/${review.meeting.id}/reviews/${review.id}/outcome`
            : `/reviews/${review.id}`,
        parts: parts.map((part, i) => {
          if (part.kind === 'paragraph') paragraph += 1;
          const block = part.kind === 'block' ? BLOCK_WORDS[part.ref as BlockName] : undefined;
          return {
            ...part,
            index: i,
            number: paragraph,
            block,
            blockHint: part.kind === 'block' ? BLOCKS[part.ref as BlockName] : '',
            added: part.kind === 'paragraph' && (part.ref === '' || part.status === 'added'),
            heading: part.kind === 'paragraph' && part.tag !== undefined && part.tag !== 'p',
            edited: part.status === 'edited',
          };
        }),
        partCount: parts.length,
        notice: extra.notice,
        errors: extra.errors,
        banner: saved ? { success: true, text: saved } : done ? { success: true, text: done } : null,
        backLink: { href: `/reviews/${review.id}#letters`, text: `Back to ${review.reference}` },
      },
      status,
    );
  }

  router.get('/letters/:id', async (req, res) => {
    await show(req, res, idParam(req));
  });

  router.get('/letters/:id/pdf', async (req, res) => {
    const pdf = await services.letters.pdf(req.user!, idParam(req));
    res.type('application/pdf').attachment(pdf.filename).send(pdf.content);
  });

  // The paragraphs: change, remove, add one after any other, or save.
  router.post('/letters/:id', async (req, res) => {
    const id = idParam(req);
    const body = req.body as Record<string, unknown>;
    const parts = partsFrom(body);
    const add = /^add-(\d+)$/.exec(formText(body.action));
    if (add) {
      const at = Math.min(Number(add[1]) + 1, parts.length);
      parts.splice(at, 0, { kind: 'paragraph', ref: '', text: '', remove: false });
      return show(req, res, id, { parts, notice: `A new paragraph is added as paragraph ${at + 1}: type it and save` });
    }
    // What is sent, and for each entry the row of the form it came from (for errors).
    const rowOf: number[] = [];
    const content = parts.flatMap((part, i): Record<string, unknown>[] => {
      if (part.kind === 'paragraph' && (part.remove || (part.ref === '' && !part.text.trim()))) return [];
      rowOf.push(i);
      if (part.kind === 'block') return [{ type: 'block', name: part.ref }];
      if (part.kind === 'fixed') return [{ type: 'fixed', id: Number(part.ref) }];
      return [{ type: 'paragraph', ...(part.ref ? { id: Number(part.ref) } : {}), text: part.text }];
    });
    await handleForm(
      async () => {
        await services.letters.update(req.user!, id, { content });
        res.redirect(`/letters/${id}?saved=paragraphs`);
      },
      (errors, status) =>
        show(
          req,
          res,
          id,
          {
            parts,
            errors: errors.map((e) => {
              const at = /^content\.(\d+)\.(text|id)$/.exec(e.field);
              if (!at) return e;
              const row = rowOf[Number(at[1])] ?? 0;
              const text = parts[row]?.text.trim();
              return {
                field: `part-${row}-text`,
                message: text
                  ? inGovukWords('The paragraph', e.said ?? e.message)
                  : 'Enter the paragraph, or tick Remove',
                href: `#part-${row}-text`,
              };
            }),
          },
          status,
        ),
    );
  });

  // ---- The date, the addressee, the salutation and the signatory

  async function addressingPage(
    req: Request,
    res: Response,
    id: number,
    extra: { errors?: PageError[]; values?: Record<string, unknown> } = {},
    status = 200,
  ) {
    const letter = await services.letters.get(req.user!, id);
    if (req.user!.role !== 'secretariat') throw new ForbiddenError('Only the panel secretariat can edit letters');
    const draft = letter.draft;
    // A letter sent meanwhile has nothing left to change.
    if (!draft) return res.redirect(`/letters/${id}`);
    const review = await services.reviews.view(req.user!, letter.reviewId);
    const [year, month, day] = draft.date ? draft.date.split('-') : ['', '', ''];
    render(
      req,
      res,
      'letters/addressing',
      {
        title: `Date, addressee and signature – ${review.reference}`,
        letter,
        review,
        values: extra.values ?? {
          'date-day': day ? String(Number(day)) : '',
          'date-month': month ? String(Number(month)) : '',
          'date-year': year,
          'addressee-name': draft.addressee.name,
          'addressee-jobTitle': draft.addressee.jobTitle,
          'addressee-lines': draft.addressee.lines.join('\n'),
          salutation: draft.salutation,
          'signatory-name': draft.signatory.name,
          'signatory-title': draft.signatory.title,
        },
        errors: extra.errors,
        backLink: { href: `/letters/${id}`, text: 'Back to the draft letter' },
      },
      status,
    );
  }

  router.get('/letters/:id/addressing', async (req, res) => {
    await addressingPage(req, res, idParam(req));
  });

  router.post('/letters/:id/addressing', async (req, res) => {
    const id = idParam(req);
    const body = req.body as Record<string, unknown>;
    const names = [
      'date-day',
      'date-month',
      'date-year',
      'addressee-name',
      'addressee-jobTitle',
      'addressee-lines',
      'salutation',
      'signatory-name',
      'signatory-title',
    ];
    const values = Object.fromEntries(names.map((n) => [n, formText(body[n])]));
    // A date with a part left out is named for that part, before the service judges the rest.
    const missing = ['day', 'month', 'year'].filter((part) => !values[`date-${part}`]!.trim());
    if (missing.length > 0 && missing.length < 3) {
      const message = `The date of the letter must include a ${missing.join(' and a ')}`;
      return addressingPage(
        req,
        res,
        id,
        { values, errors: [{ field: 'date', message, href: `#date-${missing[0]}` }] },
        422,
      );
    }
    await handleForm(
      async () => {
        await services.letters.update(req.user!, id, {
          date: dateFrom(values, 'date') ?? null,
          addressee: {
            name: values['addressee-name'],
            jobTitle: values['addressee-jobTitle'],
            lines: linesOf(values['addressee-lines']),
          },
          salutation: values.salutation,
          signatory: { name: values['signatory-name'], title: values['signatory-title'] },
        });
        res.redirect(`/letters/${id}?saved=addressing`);
      },
      (errors, status) =>
        addressingPage(
          req,
          res,
          id,
          {
            values,
            // One message for each field, the first the service gave.
            errors: errors
              .map((e) => addressingError(e.field, e.said ?? e.message))
              .filter((e, i, all) => all.findIndex((other) => other.field === e.field) === i),
          },
          status,
        ),
    );
  });

  router.post('/letters/:id/readdress', async (req, res) => {
    const id = idParam(req);
    await handleForm(
      async () => {
        await services.letters.update(req.user!, id, { readdress: true });
        res.redirect(`/letters/${id}?saved=readdressed`);
      },
      (errors, status) => show(req, res, id, { errors }, status),
    );
  });

  /** The last look before a letter goes: who it is to, who is copied, what is attached, and the letter itself. */
  async function confirmSend(req: Request, res: Response, id: number, errors?: PageError[], status = 200) {
    const letter = await services.letters.get(req.user!, id);
    const review = await services.reviews.view(req.user!, letter.reviewId);
    if (!letter.draft || !review.allowedEvents.includes('SEND_LETTER')) return show(req, res, id, { errors }, status);
    render(
      req,
      res,
      'letters/confirm-send',
      {
        title: `Check the letter before you send it – ${review.reference}`,
        kindName: KIND_NAMES[letter.kind],
        letter,
        review,
        delivery: letter.draft.delivery,
        replyTo: (await services.settings.get()).dhrMailbox,
        errors,
        backLink: { href: `/letters/${id}`, text: 'Back to the draft' },
      },
      status,
    );
  }

  router.get('/letters/:id/send', async (req, res) => {
    await confirmSend(req, res, idParam(req));
  });

  router.post('/letters/:id/send', async (req, res) => {
    const id = idParam(req);
    const letter = await services.letters.get(req.user!, id);
    await handleForm(
      async () => {
        await services.reviews.sendEvent(req.user!, letter.reviewId, {
          type: 'SEND_LETTER',
          expectedVersion: Number(req.body.expectedVersion) || undefined,
        });
        res.redirect(`/reviews/${letter.reviewId}/confirmation/letter-sent`);
      },
      (errors, status) => confirmSend(req, res, id, errors, status),
    );
  });
}

/** What re-addressing would change, line by line: the draft's words beside the ones it would take. */
function readdressRows(draft: Draft) {
  const now = draft.readdress!;
  const address = (a: Draft['addressee']) => [a.name, a.jobTitle, ...a.lines].filter(Boolean).join(', ');
  const style = (s: Draft['style']) =>
    `${s.areaStyle === 'numbered' ? 'numbered' : 'bulleted'} areas, dates as ${s.dateStyle === 'plain' ? '6 September 2023' : '6th September 2023'}`;
  const rows = [
    { what: 'Addressee', draft: address(draft.addressee), now: address(now.addressee) },
    { what: 'Salutation', draft: draft.salutation, now: now.salutation },
    {
      what: 'Signed by',
      draft: `${draft.signatory.name}, ${draft.signatory.title}`,
      now: `${now.signatory.name}, ${now.signatory.title}`,
    },
    {
      what: 'Letterhead',
      draft: [draft.letterhead.title, ...draft.letterhead.lines].filter(Boolean).join(', '),
      now: [now.letterhead.title, ...now.letterhead.lines].filter(Boolean).join(', '),
    },
    { what: 'House style', draft: style(draft.style), now: style(now.style) },
  ];
  return rows.filter((row) => row.draft !== row.now);
}

/** What each field of the addressing form is called, for its error messages. */
const ADDRESSING_LABELS: Record<string, string> = {
  date: 'the date of the letter',
  'addressee-name': "the addressee's name",
  'addressee-jobTitle': "the addressee's job title",
  'addressee-lines': "the addressee's address",
  salutation: 'the salutation',
  'signatory-name': "the signatory's name",
  'signatory-title': "the signatory's title",
};

/** The service's error in GOV.UK's words, at the field it belongs to ("Enter the salutation"). */
function addressingError(serviceField: string, message: string): PageError {
  const field = serviceField === 'date' ? 'date' : serviceField.replace(/\./g, '-').replace(/-\d+$/, '');
  const label = ADDRESSING_LABELS[field] ?? 'this field';
  const href = `#${field === 'date' ? 'date-day' : field}`;
  if (/must not be empty|is required/.test(message)) return { field, message: `Enter ${label}`, href };
  if (field === 'date' && !/between|on or after/.test(message)) {
    return { field, message: 'The date of the letter must be a real date', href };
  }
  return { field, message: inGovukWords(label, message), href };
}
