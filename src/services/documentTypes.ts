import { ValidationError } from './errors';
import { inspectZip, type ZipEntry } from './zipInspection';

/**
 * Recognises the document formats a review may carry from their bytes, not from
 * the name or the type the browser claimed. DOCX and ODT are zip packages: their
 * directory is read (never decompressed) and refused when it cannot belong to a
 * real document, so nothing stored can harm whoever opens it later.
 */

export interface DetectedType {
  contentType: string;
  extension: string;
}

const PDF: DetectedType = { contentType: 'application/pdf', extension: 'pdf' };
const DOCX: DetectedType = {
  contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  extension: 'docx',
};
const ODT: DetectedType = { contentType: 'application/vnd.oasis.opendocument.text', extension: 'odt' };

const NOT_A_DOCUMENT = 'must be a PDF, DOCX or ODT document';
const NESTED = "holds another zip archive where the document's text should be, so it is not a real document";

const ZIP_LOCAL_HEADER = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/** What the bytes are, or what is wrong with them in words that follow "The file ...". */
export function classifyDocument(bytes: Buffer): DetectedType | { problem: string } {
  if (/^%PDF-\d\.\d/.test(bytes.subarray(0, 8).toString('latin1'))) {
    return isCompletePdf(bytes) ? PDF : { problem: NOT_A_DOCUMENT };
  }
  if (bytes.subarray(0, 4).equals(ZIP_LOCAL_HEADER)) return classifyPackage(bytes);
  return { problem: NOT_A_DOCUMENT };
}

export function detectDocumentType(bytes: Buffer): DetectedType | null {
  const found = classifyDocument(bytes);
  return 'problem' in found ? null : found;
}

/**
 * A PDF ends with "startxref", the offset of its cross-reference table, and
 * "%%EOF" within its last 1024 bytes (ISO 32000-1, 7.5.5). A renamed text file,
 * or an HTML page behind a "%PDF-" line, does not.
 */
function isCompletePdf(bytes: Buffer): boolean {
  const tail = bytes.subarray(-1024).toString('latin1');
  const match = /startxref\s+(\d{1,12})\s+%%EOF/.exec(tail);
  return match !== null && Number(match[1]) < bytes.length;
}

function classifyPackage(bytes: Buffer): DetectedType | { problem: string } {
  const zip = inspectZip(bytes);
  if (!zip.ok) return { problem: zip.problem };
  const byName = new Map(zip.entries.map((e) => [e.name, e]));
  const first = zip.entries.find((e) => e.localHeaderOffset === 0)!;

  // ODF requires an uncompressed first entry "mimetype" holding the media type (ODF 1.2, part 3, 3.3).
  if (first.name === 'mimetype') {
    const isOdt =
      first.method === 0 &&
      bytes.subarray(first.dataStart, first.dataStart + first.compressedSize).toString('latin1') === ODT.contentType;
    const content = byName.get('content.xml');
    if (!isOdt || !content || !byName.has('META-INF/manifest.xml')) return { problem: NOT_A_DOCUMENT };
    return holdsZip(bytes, content) ? { problem: NESTED } : ODT;
  }
  // OOXML: the content types part and the main document part (ECMA-376 part 2).
  const main = byName.get('word/document.xml');
  if (!main || !byName.has('[Content_Types].xml')) return { problem: NOT_A_DOCUMENT };
  return holdsZip(bytes, main) ? { problem: NESTED } : DOCX;
}

/** A stored part whose bytes are another zip: the text is not where a word processor looks for it. */
function holdsZip(bytes: Buffer, entry: ZipEntry): boolean {
  return entry.method === 0 && bytes.subarray(entry.dataStart, entry.dataStart + 4).equals(ZIP_LOCAL_HEADER);
}

/**
 * An uploaded file as the service keeps it: its type read from its bytes (or a
 * field error saying what is wrong) and a name safe to send back in a header.
 */
export function acceptDocument(bytes: Buffer, filename: string): DetectedType & { filename: string } {
  const type = classifyDocument(bytes);
  if ('problem' in type) throw ValidationError.field('file', type.problem);
  const base = (filename.split(/[\\/]/).pop() ?? '')
    .replace(/[\u0000-\u001f\u007f"<>|*?:]/g, '')
    .trim()
    .slice(0, 150);
  const name = !base
    ? `document.${type.extension}`
    : base.toLowerCase().endsWith(`.${type.extension}`)
      ? base
      : `${base}.${type.extension}`;
  return { ...type, filename: name };
}
