import { compile } from 'html-to-text';

// Compiled once: converting with fresh options each time spent most of a letter's rendering time.
const toText = compile({
  wordwrap: 78,
  selectors: [
    // Headings as written: html-to-text would shout them in capitals, changing their words ("STRASSE").
    { selector: 'h2', options: { uppercase: false, leadingLineBreaks: 2, trailingLineBreaks: 1 } },
    { selector: 'h3', options: { uppercase: false, leadingLineBreaks: 2, trailingLineBreaks: 1 } },
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'ol', options: { leadingLineBreaks: 1, trailingLineBreaks: 1 } },
    // The bullet the letters print, rather than html-to-text's asterisk.
    { selector: 'ul', options: { itemPrefix: '• ', leadingLineBreaks: 1, trailingLineBreaks: 1 } },
  ],
});

/** The plain-text version of a letter, for the email's text part and for reading aloud or searching. */
export function letterText(html: string): string {
  return toText(html).trim();
}
