import { ValidationError } from './errors';

/**
 * Recognises the document formats a review may carry from their bytes, not from
 * the name or the type the browser claimed.
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

const ZIP_LOCAL_HEADER = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

export function detectDocumentType(bytes: Buffer): DetectedType | null {
  if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') {
    // A real PDF ends with an end-of-file marker; a renamed text file does not.
    return bytes.subarray(-1024).toString('latin1').includes('%%EOF') ? PDF : null;
  }
  if (bytes.subarray(0, 4).equals(ZIP_LOCAL_HEADER)) {
    // ODF requires an uncompressed first entry "mimetype" holding the media type (ODF 1.2, part 3, 3.3).
    if (
      bytes.subarray(30, 38).toString('latin1') === 'mimetype' &&
      bytes.subarray(38, 38 + ODT.contentType.length).toString('latin1') === ODT.contentType
    ) {
      return ODT;
    }
    // OOXML packages name their parts in the zip directory in plain text.
    const names = bytes.toString('latin1');
    if (names.includes('[Content_Types].xml') && names.includes('word/document.xml')) return DOCX;
  }
  return null;
}

/**
 * An uploaded file as the service keeps it: its type read from its bytes (or a
 * field error saying what is accepted) and a name safe to send back in a header.
 */
export function acceptDocument(bytes: Buffer, filename: string): DetectedType & { filename: string } {
  const type = detectDocumentType(bytes);
  if (!type) throw ValidationError.field('file', 'must be a PDF, DOCX or ODT document');
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
