/**
 * Reads a zip archive's directory (DOCX and ODT are zip packages) without
 * decompressing anything, and says what is wrong with it in plain words when it
 * cannot be a real document: a damaged or inconsistent directory, too many
 * parts, contents that would expand beyond a sane size (a zip bomb), or a
 * password-protected package. Follows APPNOTE.TXT 6.3 (PKWARE), with ZIP64.
 */

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
  /** Where the entry's (compressed) data starts in the archive. */
  dataStart: number;
}

export type ZipInspection = { ok: true; entries: ZipEntry[] } | { ok: false; problem: string };

/** Limits a real report stays far within; a 20 MB upload of text rarely expands beyond 100 MB. */
const ZIP_LIMITS = {
  maxEntries: 10_000,
  maxTotalUncompressed: 200 * 1024 * 1024,
  /** Deflate can reach about 1000:1 on repeated bytes; real XML parts stay below 30:1. */
  maxRatio: 100,
  /** Parts smaller than this are not judged by their ratio: small, repetitive XML compresses very well. */
  ratioCheckedFrom: 1024 * 1024,
};

const ZIP_PROBLEMS = {
  damaged: 'is damaged or incomplete: its zip directory does not match its contents',
  tooManyEntries: `holds more than ${ZIP_LIMITS.maxEntries.toLocaleString('en-GB')} parts, so it is not a real document`,
  tooBig: `expands to more than ${ZIP_LIMITS.maxTotalUncompressed / 1024 / 1024} MB when opened, so it may be damaged or not a real document`,
  ratio: `is compressed far more than a real document can be (over ${ZIP_LIMITS.maxRatio} to 1), so it may be a zip bomb`,
  encrypted: 'is password-protected: remove the password and upload it again',
  unusualCompression: 'uses a kind of compression that word processors do not use, so it is not a real document',
};

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const EOCD_SIZE = 22;
const CENTRAL_SIZE = 46;
const LOCAL_SIZE = 30;
const STORED = 0;
const DEFLATED = 8;
const FLAG_ENCRYPTED = 0x1;
const FLAG_STRONG_ENCRYPTION = 0x40;

class Damaged extends Error {
  constructor(readonly problem: string = ZIP_PROBLEMS.damaged) {
    super(problem);
  }
}

/** A bounds-checked reader: any read past the end means the archive is truncated or lies about its layout. */
function reader(bytes: Buffer) {
  const need = (offset: number, length: number) => {
    if (!Number.isSafeInteger(offset) || offset < 0 || offset + length > bytes.length) throw new Damaged();
  };
  return {
    u16(offset: number) {
      need(offset, 2);
      return bytes.readUInt16LE(offset);
    },
    u32(offset: number) {
      need(offset, 4);
      return bytes.readUInt32LE(offset);
    },
    u64(offset: number) {
      need(offset, 8);
      const value = bytes.readBigUInt64LE(offset);
      // Anything beyond 2^53 cannot be a real offset or size in an upload.
      if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new Damaged();
      return Number(value);
    },
    slice(offset: number, length: number) {
      need(offset, length);
      return bytes.subarray(offset, offset + length);
    },
  };
}

/** The End of Central Directory record: the last 22 bytes, unless a comment (at most 64 KB) follows it. */
function findEndOfCentralDirectory(bytes: Buffer): number {
  const lowest = Math.max(0, bytes.length - EOCD_SIZE - 0xffff);
  for (let at = bytes.length - EOCD_SIZE; at >= lowest; at--) {
    // The comment must run exactly to the end of the file, so a signature inside it is not taken for the record.
    if (bytes.readUInt32LE(at) === SIG_EOCD && at + EOCD_SIZE + bytes.readUInt16LE(at + 20) === bytes.length) {
      return at;
    }
  }
  throw new Damaged();
}

export function inspectZip(bytes: Buffer): ZipInspection {
  try {
    return { ok: true, entries: readDirectory(bytes) };
  } catch (err) {
    if (err instanceof Damaged) return { ok: false, problem: err.problem };
    throw err;
  }
}

function readDirectory(bytes: Buffer): ZipEntry[] {
  if (bytes.length < EOCD_SIZE) throw new Damaged();
  const r = reader(bytes);
  const eocd = findEndOfCentralDirectory(bytes);
  let disk = r.u16(eocd + 4);
  let directoryDisk = r.u16(eocd + 6);
  let entriesHere = r.u16(eocd + 8);
  let entryCount = r.u16(eocd + 10);
  let directorySize = r.u32(eocd + 12);
  let directoryOffset = r.u32(eocd + 16);
  // Where the directory must end: the EOCD record, or the ZIP64 record that precedes it.
  let directoryEnd = eocd;

  const zip64 =
    entryCount === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff || disk === 0xffff;
  if (zip64) {
    const locator = eocd - 20;
    if (r.u32(locator) !== SIG_ZIP64_LOCATOR) throw new Damaged();
    const record = r.u64(locator + 8);
    if (record + 56 > locator || r.u32(record) !== SIG_ZIP64_EOCD) throw new Damaged();
    disk = r.u32(record + 16);
    directoryDisk = r.u32(record + 20);
    entriesHere = r.u64(record + 24);
    entryCount = r.u64(record + 32);
    directorySize = r.u64(record + 40);
    directoryOffset = r.u64(record + 48);
    directoryEnd = record;
  }

  // Split (multi-disk) archives are never uploaded documents.
  if (disk !== 0 || directoryDisk !== 0 || entriesHere !== entryCount) throw new Damaged();
  if (entryCount > ZIP_LIMITS.maxEntries) throw new Damaged(ZIP_PROBLEMS.tooManyEntries);
  if (entryCount === 0 || directoryOffset + directorySize !== directoryEnd) throw new Damaged();
  // Each central header takes at least 46 bytes: a count the directory cannot hold is a lie.
  if (entryCount * CENTRAL_SIZE > directorySize) throw new Damaged();

  const entries: ZipEntry[] = [];
  const names = new Set<string>();
  let at = directoryOffset;
  for (let i = 0; i < entryCount; i++) {
    if (r.u32(at) !== SIG_CENTRAL) throw new Damaged();
    const flags = r.u16(at + 8);
    const method = r.u16(at + 10);
    let compressedSize = r.u32(at + 20);
    let uncompressedSize = r.u32(at + 24);
    const nameLength = r.u16(at + 28);
    const extraLength = r.u16(at + 30);
    const commentLength = r.u16(at + 32);
    const entryDisk = r.u16(at + 34);
    let localHeaderOffset = r.u32(at + 42);
    const rawName = r.slice(at + CENTRAL_SIZE, nameLength);
    const name = rawName.toString(flags & 0x800 ? 'utf8' : 'latin1');
    const extra = r.slice(at + CENTRAL_SIZE + nameLength, extraLength);
    at += CENTRAL_SIZE + nameLength + extraLength + commentLength;
    if (at > directoryEnd) throw new Damaged();

    // ZIP64 sizes live in the extra field (header 0x0001), in this order, only for the fields that overflowed.
    if (uncompressedSize === 0xffffffff || compressedSize === 0xffffffff || localHeaderOffset === 0xffffffff) {
      const values = zip64Extra(extra);
      const next = () => {
        const v = values.shift();
        if (v === undefined) throw new Damaged();
        return v;
      };
      if (uncompressedSize === 0xffffffff) uncompressedSize = next();
      if (compressedSize === 0xffffffff) compressedSize = next();
      if (localHeaderOffset === 0xffffffff) localHeaderOffset = next();
    }

    if (entryDisk !== 0 && entryDisk !== 0xffff) throw new Damaged();
    // The same name twice lets two programs see two different documents in one file.
    if (names.has(name)) throw new Damaged();
    names.add(name);
    if (flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)) throw new Damaged(ZIP_PROBLEMS.encrypted);
    if (method !== STORED && method !== DEFLATED) throw new Damaged(ZIP_PROBLEMS.unusualCompression);
    if (method === STORED && compressedSize !== uncompressedSize) throw new Damaged();

    // The local header must agree with the directory on where the entry is and what it is called.
    if (r.u32(localHeaderOffset) !== SIG_LOCAL) throw new Damaged();
    const localNameLength = r.u16(localHeaderOffset + 26);
    const localExtraLength = r.u16(localHeaderOffset + 28);
    if (!r.slice(localHeaderOffset + LOCAL_SIZE, localNameLength).equals(rawName)) throw new Damaged();
    const dataStart = localHeaderOffset + LOCAL_SIZE + localNameLength + localExtraLength;
    if (dataStart + compressedSize > directoryOffset) throw new Damaged();
    entries.push({ name, method, flags, compressedSize, uncompressedSize, localHeaderOffset, dataStart });
  }
  if (at !== directoryEnd) throw new Damaged();

  // Entries that share bytes are how the non-recursive zip bombs reach huge sizes from small files.
  const byOffset = [...entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  if (byOffset[0]!.localHeaderOffset !== 0) throw new Damaged();
  for (let i = 1; i < byOffset.length; i++) {
    const previous = byOffset[i - 1]!;
    if (byOffset[i]!.localHeaderOffset < previous.dataStart + previous.compressedSize) throw new Damaged();
  }

  let total = 0;
  for (const e of entries) {
    total += e.uncompressedSize;
    if (total > ZIP_LIMITS.maxTotalUncompressed) throw new Damaged(ZIP_PROBLEMS.tooBig);
    if (
      e.uncompressedSize >= ZIP_LIMITS.ratioCheckedFrom &&
      e.uncompressedSize > e.compressedSize * ZIP_LIMITS.maxRatio
    ) {
      throw new Damaged(ZIP_PROBLEMS.ratio);
    }
  }
  return entries;
}

/** The 64-bit values of a ZIP64 extended information extra field. */
function zip64Extra(extra: Buffer): number[] {
  const r = reader(extra);
  for (let at = 0; at + 4 <= extra.length;) {
    const id = r.u16(at);
    const size = r.u16(at + 2);
    if (id === 0x0001) {
      const values: number[] = [];
      for (let v = 0; v + 8 <= size; v += 8) values.push(r.u64(at + 4 + v));
      return values;
    }
    at += 4 + size;
  }
  return [];
}
