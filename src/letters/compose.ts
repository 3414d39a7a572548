import type { Settings } from '../services/settings';
import { letterTemplates, type LetterKind } from './templates';
import { letterText } from './text';

export interface LetterItem {
  heading: string | null;
  text: string;
  note?: string | null;
}

/** Everything a letter says, gathered by the letters service from the review and the settings. */
export interface LetterData {
  kind: LetterKind;
  /** The letter's date, YYYY-MM-DD: today for a draft, the day it went out once sent. */
  date: string;
  settings: Settings;
  reference: string;
  pseudonym: string;
  csp: { name: string; addressLines: string[]; contact: { name: string; email: string } };
  pccName: string;
  fields: LetterFields;
  meetingDate?: string;
  items?: LetterItem[];
  submittedOn?: string;
  letterSentOn?: string;
  approvedOn?: string;
  publishedOn?: string;
  url?: string;
}

/** The parts of a draft the secretariat may edit. */
export interface LetterFields {
  salutation: string;
  commendations: string;
  extraParagraph: string;
}

const TITLES = /^(mr|mrs|ms|miss|mx|dr|prof|professor|sir|dame|cllr|councillor)\.?$/i;

/** "Dear Sam" for Sam Okafor; "Dear Dr Marsh" for Dr Helen Marsh. */
export function defaultSalutation(name: string): string {
  const words = name.trim().split(/\s+/);
  if (words.length > 1 && TITLES.test(words[0]!)) return `Dear ${words[0]} ${words[words.length - 1]}`;
  return `Dear ${words[0] ?? 'colleague'}`;
}

type Area = { heading: null; text: string } | { heading: string; items: { text: string }[] };

/** Consecutive items under the same heading become one numbered entry with lettered sub-items. */
export function groupAreas(items: LetterItem[]): Area[] {
  const areas: Area[] = [];
  for (const item of items) {
    const last = areas[areas.length - 1];
    if (item.heading && last && last.heading === item.heading) last.items.push({ text: item.text });
    else if (item.heading) areas.push({ heading: item.heading, items: [{ text: item.text }] });
    else areas.push({ heading: null, text: item.text });
  }
  return areas;
}

/**
 * Templates compile strictly, which catches a field left out of the model; this
 * catches one that is there but empty, so no letter goes out with a gap in it.
 */
function assertComplete(value: unknown, at: string): void {
  if (value === undefined) throw new Error(`Letter field ${at} is missing`);
  if (Array.isArray(value)) value.forEach((v, i) => assertComplete(v, `${at}[${i}]`));
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) assertComplete(v, `${at}.${key}`);
  }
}

export function renderLetter(data: LetterData): { html: string; text: string } {
  const { settings, csp } = data;
  const model = {
    letterhead: settings.homeOfficeAddress,
    dhrMailbox: settings.dhrMailbox,
    addressee: { name: csp.contact.name, organisation: csp.name, lines: csp.addressLines },
    date: data.date,
    salutation: data.fields.salutation,
    commendations: data.fields.commendations,
    extraParagraph: data.fields.extraParagraph,
    pseudonym: data.pseudonym,
    reference: data.reference,
    cspName: csp.name,
    meetingDate: data.meetingDate ?? '',
    areas: groupAreas(data.items ?? []),
    outstanding: (data.items ?? []).map((i) => ({ heading: i.heading, text: i.text, note: i.note ?? null })),
    pcc: { name: data.pccName },
    signatory: { name: settings.signatoryName, title: settings.signatoryTitle },
    submittedOn: data.submittedOn ?? data.date,
    letterSentOn: data.letterSentOn ?? data.date,
    approvedOn: data.approvedOn ?? data.date,
    publishedOn: data.publishedOn ?? data.date,
    url: data.url ?? '',
  };
  assertComplete(model, 'letter');
  const html = letterTemplates[data.kind](model).replace(/\n\s*\n/g, '\n');
  return { html, text: letterText(html) };
}
