import { convert } from 'html-to-text';

/** The plain-text version of a letter, for the email's text part and for reading aloud or searching. */
export function letterText(html: string): string {
  return convert(html, {
    wordwrap: 78,
    selectors: [
      { selector: 'h2', options: { uppercase: false, leadingLineBreaks: 2, trailingLineBreaks: 1 } },
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'ol', options: { leadingLineBreaks: 1, trailingLineBreaks: 1 } },
    ],
  }).trim();
}
