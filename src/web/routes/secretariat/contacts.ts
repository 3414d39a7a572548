import type { Contact } from '../../../services/directory';
import { linesOf } from './common';

/**
 * A CSP's contacts typed one per line, as people copy them from an email client
 * ("Sam Okafor <sam@kent.gov.uk>") or a spreadsheet ("Sam Okafor, sam@kent.gov.uk").
 * A line that is neither is kept (with no email) and listed in `unreadable`, so the
 * form can say which line to rewrite; checking the addresses is the service's job.
 */
export function contactsFrom(value: unknown): { contacts: Contact[]; unreadable: Set<number> } {
  const unreadable = new Set<number>();
  const unquote = (s: string) =>
    s
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .replace(/,$/, '')
      .trim();
  const contacts = linesOf(value).map((line, i) => {
    const angled = /^(.*?)\s*<([^<>]*)>$/.exec(line);
    if (angled) return { name: unquote(angled[1]!), email: angled[2]!.trim() };
    const comma = /^(.*),\s*([^,\s]+)$/.exec(line);
    if (comma) return { name: unquote(comma[1]!), email: comma[2]! };
    unreadable.add(i);
    return { name: line, email: '' };
  });
  return { contacts, unreadable };
}

/** Contacts as the textarea shows them, one per line. */
export const contactsText = (contacts: Contact[]) => contacts.map((c) => `${c.name} <${c.email}>`).join('\n');

export const READ_CONTACT = 'write it as Name <email> or Name, email';
