import fs from 'node:fs';
import { create, type Font } from 'fontkit';

/**
 * The fonts the letter PDF is set in, and which characters they can print.
 *
 * PDFKit's built-in fonts (Helvetica and friends) only know Windows Latin-1, so Welsh ŵ and ŷ,
 * Polish Ł, Greek or Cyrillic came out garbled. The PDF embeds DejaVu Sans instead (npm package
 * dejavu-fonts-ttf; Bitstream Vera and Arev font licences, see its LICENSE, which allow embedding
 * and redistribution), which covers those scripts. PDFKit subsets an embedded font, so each PDF
 * carries only the glyphs it uses.
 */

export type Face = 'regular' | 'bold' | 'italic' | 'boldItalic';

const FILES: Record<Face, string> = {
  regular: 'DejaVuSans.ttf',
  bold: 'DejaVuSans-Bold.ttf',
  italic: 'DejaVuSans-Oblique.ttf',
  boldItalic: 'DejaVuSans-BoldOblique.ttf',
};

const FACES = Object.keys(FILES) as Face[];

/**
 * The faces, read and parsed once when this module loads and shared by every PDF: parsing a
 * face afresh and decoding its OpenType tables costs more than laying out a whole letter.
 * PDFKit (since 0.20) accepts an already-parsed fontkit font wherever it takes a font file.
 */
const FONTS = Object.fromEntries(
  FACES.map((face) => {
    const font = create(fs.readFileSync(require.resolve(`dejavu-fonts-ttf/ttf/${FILES[face]}`)));
    // A .ttf holds a single font; only a collection (.ttc) would hold several.
    if ('fonts' in font) throw new Error(`${FILES[face]} is a font collection, not a font`);
    return [face, font];
  }),
) as Record<Face, Font>;

/**
 * The fonts for the next PDF. fontkit keeps each glyph it has met together with the characters
 * that first produced it, and PDFKit writes those characters into the PDF's text layer. A glyph
 * first met as part of another (the "u" inside "û", while embedding a letter's fonts) has no
 * characters at all, and one glyph can come from two spellings (the "fi" ligature from "f" + "i"
 * or from U+FB01). With one cache for every PDF, a letter could lose copyable text in a later
 * one ("Łukasz" read back as "Łkasz"), and a PDF's bytes, so its frozen hash, would depend on
 * what the process printed before. Emptying the glyph cache (a private field of fontkit's
 * TTFFont; tests/unit/letterPdf.test.ts notices if that changes) makes each PDF depend only on
 * its own letter, while the decoded tables, the costly part, stay shared. Laying out a PDF is
 * synchronous, fonts embedded included, so two PDFs never use the fonts at the same time.
 */
export function fontsForOnePdf(): Record<Face, Font> {
  for (const font of Object.values(FONTS)) (font as unknown as { _glyphs: object })._glyphs = {};
  return FONTS;
}

/** The code points each face has a glyph for, from the font's own character map. */
const COVERS = Object.fromEntries(FACES.map((face) => [face, new Set(FONTS[face].characterSet)])) as Record<
  Face,
  Set<number>
>;

/**
 * Where to look when a face lacks a character: the DejaVu faces differ by a few hundred
 * characters (the oblique ones have the fewest), so a character in either the regular or the
 * bold face can be printed in any style, if need be in the upright or lighter face.
 */
const FALLBACK: Record<Face, Face[]> = {
  regular: ['regular', 'bold'],
  bold: ['bold', 'regular'],
  italic: ['italic', 'regular', 'bold'],
  boldItalic: ['boldItalic', 'bold', 'italic', 'regular'],
};

const PRINTABLE = new Set([...COVERS.regular, ...COVERS.bold]);

// Whitespace never needs a glyph of its own: one the fonts lack (an ideographic space, say) is
// printed as an ordinary space.
const WHITESPACE = /^\s+$/u;

// User-perceived characters, so a letter and its combining marks stay in one font and the
// marks sit on their letter.
const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

interface Piece {
  text: string;
  face: Face;
}

function covers(face: Face, text: string): boolean {
  for (const ch of text) if (!COVERS[face].has(ch.codePointAt(0)!)) return false;
  return true;
}

/**
 * Splits text meant for one face into pieces, each in a face that has all its glyphs. Almost
 * always that is the one face asked for, and the text comes back whole.
 */
export function pieces(text: string, face: Face): Piece[] {
  if (covers(face, text)) return [{ text, face }];
  const out: Piece[] = [];
  for (const { segment } of graphemes.segment(text)) {
    const found = FALLBACK[face].find((f) => covers(f, segment));
    const glyphs = !found && WHITESPACE.test(segment) ? ' ' : segment;
    // A character in no face prints as a blank box; unprintableCharacters() lets callers
    // refuse such a letter before it gets here.
    const chosen = found ?? face;
    const last = out[out.length - 1];
    if (last?.face === chosen) last.text += glyphs;
    else out.push({ text: glyphs, face: chosen });
  }
  return out;
}

/**
 * The distinct characters of `text` that the PDF cannot print (in neither the regular nor the
 * bold face), in order of first appearance. Text is NFC-normalised first, as the PDF does, so
 * "e" followed by a combining acute counts as the "é" that is printed. Whitespace is ignored.
 */
export function unprintableCharacters(text: string): string[] {
  const found = new Set<string>();
  const normal = text.normalize('NFC');
  for (const ch of normal) {
    if ((!WHITESPACE.test(ch) && !PRINTABLE.has(ch.codePointAt(0)!)) || RIGHT_TO_LEFT.test(ch)) found.add(ch);
  }
  // Accents stacked deeper than any language writes them overprint the line above.
  for (const stack of normal.matchAll(STACKED_MARKS)) for (const mark of stack[0]) found.add(mark);
  return [...found];
}

/**
 * Right-to-left scripts and the controls that set a direction: the fonts draw Hebrew and
 * Arabic letters, but the PDF lays every line out left to right, so the words would come out
 * in the wrong order. They are refused like characters the fonts lack.
 */
const RIGHT_TO_LEFT =
  /[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Samaritan}\p{Script=Mandaic}\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
const STACKED_MARKS = /\p{M}{3,}/gu;

/** Names characters for a message to the user: `"🚀" (U+1F680), "𝄞" (U+1D11E)`. */
export function describeCharacters(chars: string[]): string {
  return chars.map((ch) => `"${ch}" (U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})`).join(', ');
}
