import type { LetterKind } from './catalogue';
import { longDate, type DateStyle } from '../core/dates';
import { cut, letterHtml, type Addressing, type AreaStyle, type Draft, type LetterContext } from './draft';
import { renderTemplate } from './engine';
import { cleanHtml } from './markup';
import { letterText } from './text';

/** What a letter says about its review, gathered by the letters service. Dates are YYYY-MM-DD. */
export interface LetterFacts {
  kind: LetterKind;
  reference: string;
  pseudonym: string;
  cspName: string;
  pccName: string;
  dhrMailbox: string;
  /** What the reviews are called, and its initials (see reviewKinds.ts). */
  reviewKind: string;
  reviewKindShort: string;
  meetingDate?: string;
  round?: number;
  submittedOn?: string;
  letterSentOn?: string;
  approvedOn?: string;
  publishedOn?: string;
  url?: string;
  outstandingCount?: number;
  decidedOn?: string;
  agrees?: boolean;
}

export interface Contact {
  name: string;
  email: string;
  jobTitle?: string;
  addressLines?: string[];
}

const TITLES = /^(mr|mrs|ms|miss|mx|dr|prof|professor|sir|dame|cllr|councillor)\.?$/i;

/** "Dear Sam" for Sam Okafor; "Dear Dr Marsh" for Dr Helen Marsh. */
export function defaultSalutation(name: string): string {
  const words = name.trim().split(/\s+/);
  if (words.length > 1 && TITLES.test(words[0]!)) return `Dear ${words[0]} ${words[words.length - 1]}`;
  return `Dear ${words[0] || 'colleague'}`;
}

/** The letter settings the secretariat keeps (src/services/settings.ts) that addressing a letter reads. */
export interface LetterSettings {
  letterheadTitle: string;
  homeOfficeAddress: string[];
  signatoryName: string;
  signatoryTitle: string;
  addressIncludesCsp: boolean;
  areaStyle: AreaStyle;
  dateStyle: DateStyle;
}

/**
 * Who a letter goes to and who signs it, from the CSP's first contact and the letter
 * settings: the contact's own address if they have one, else the CSP's, with the
 * CSP's name first when the house style says so.
 */
export function addressingFor(
  csp: { name: string; addressLines: string[] },
  contact: Contact,
  settings: LetterSettings,
): Addressing {
  const lines = contact.addressLines?.length ? contact.addressLines : csp.addressLines;
  return {
    letterhead: { title: settings.letterheadTitle, lines: settings.homeOfficeAddress },
    addressee: {
      name: contact.name,
      jobTitle: contact.jobTitle ?? '',
      lines: settings.addressIncludesCsp && !lines.includes(csp.name) ? [csp.name, ...lines] : lines,
    },
    salutation: defaultSalutation(contact.name),
    signatory: { name: settings.signatoryName, title: settings.signatoryTitle },
    style: { areaStyle: settings.areaStyle, dateStyle: settings.dateStyle },
  };
}

/** The template's placeholders for this letter: dates written in the house style. */
export function placeholderValues(facts: LetterFacts, addressing: Addressing): Record<string, unknown> {
  const date = (iso: string | undefined) => (iso ? longDate(iso, addressing.style.dateStyle) : '');
  return {
    reference: facts.reference,
    pseudonym: facts.pseudonym,
    cspName: facts.cspName,
    pccName: facts.pccName,
    dhrMailbox: facts.dhrMailbox,
    reviewKind: facts.reviewKind,
    reviewKindShort: facts.reviewKindShort,
    signatoryName: addressing.signatory.name,
    signatoryTitle: addressing.signatory.title,
    meetingDate: date(facts.meetingDate),
    round: facts.round ?? 1,
    submittedOn: date(facts.submittedOn),
    letterSentOn: date(facts.letterSentOn),
    approvedOn: date(facts.approvedOn),
    publishedOn: date(facts.publishedOn),
    url: facts.url ?? '',
    outstandingCount: facts.outstandingCount ?? 0,
    decidedOn: date(facts.decidedOn),
    agrees: facts.agrees ?? false,
  };
}

/** A new draft: the template rendered once for this review and cut into its parts. */
export function makeDraft(
  template: { kind: string; version: number; body: string },
  facts: LetterFacts,
  addressing: Addressing,
  date: string | null = null,
): Draft {
  // Cleaned before it is cut: whatever the template wrote, a draft holds only a letter's HTML.
  const html = cleanHtml(renderTemplate(template.body, 'letter', placeholderValues(facts, addressing)), 'draft');
  return {
    template: { kind: template.kind, version: template.version },
    date,
    ...addressing,
    parts: cut(html),
    removed: [],
    setAside: [],
    addressedFrom: addressing,
  };
}

export function renderLetter(draft: Draft, context: LetterContext): { html: string; text: string } {
  const html = letterHtml(draft, context);
  return { html, text: letterText(html) };
}

/** A file name that keeps the whole title: a slash in a pseudonym ("Adult A/Adult B") would cut it short. */
export function fileName(title: string): string {
  return (
    title
      .replace(/[/\\]/g, '-')
      // Controls, quotes, and direction marks that would show the name back to front.
      .replace(/[\u0000-\u001f\u007f-\u009f"\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
      .trim()
  );
}

/** What a panel's letter is called in its PDF's title and file name: feedback, or its view of a decision. */
export const panelLetterName = (kind?: LetterKind) =>
  kind === 'review_decision' ? 'QA Panel view of the decision' : 'QA Panel feedback';

/** The name a panel's letter's PDF has when it is attached to its email. */
export function feedbackPdfName(reference: string, pseudonym: string, kind?: LetterKind): string {
  return fileName(`${reference} ${pseudonym} - ${panelLetterName(kind)}.pdf`);
}
