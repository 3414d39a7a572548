import zlib from 'node:zlib';

/**
 * Reads a zip archive's directory (DOCX and ODT are zip packages) and says what is
 * wrong with it in plain words when it cannot be a real document: a damaged or
 * inconsistent directory, too many parts, contents that would expand beyond a sane
 * size (a zip bomb), or a password-protected package. Follows APPNOTE.TXT 6.3
 * (PKWARE), with ZIP64.
 *
 * The directory only states sizes, so `verifyZipContents` then inflates every part,
 * never past the size its directory entry states (which the limits have already
 * judged), and refuses the archive when a part's real size or CRC-32 differs from
 * what it states: the limits hold for the bytes a reader would really get, and no
 * more than the stated sizes is ever inflated. Output is counted and dropped as it
 * comes; large parts are inflated on the thread pool, so the event loop stays free.
 */

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  /** The CRC-32 of the uncompressed data, as the directory states it. */
  crc: number;
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
  tooSlow: 'took too long to open, so it may be damaged or not a real document',
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
    const crc = r.u32(at + 16);
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
    entries.push({ name, method, flags, crc, compressedSize, uncompressedSize, localHeaderOffset, dataStart });
  }
  if (at !== directoryEnd) throw new Damaged();

  // Entries that share bytes are how the non-recursive zip bombs reach huge sizes from small files.
  const byOffset = [...entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  if (byOffset[0]!.localHeaderOffset !== 0) throw new Damaged();
  for (let i = 1; i < byOffset.length; i++) {
    const previous = byOffset[i - 1]!;
    if (byOffset[i]!.localHeaderOffset < previous.dataStart + previous.compressedSize) throw new Damaged();
  }

  // The stated sizes are judged here; verifyZipContents then holds each part to its stated size.
  let total = 0;
  let compressed = 0;
  for (const e of entries) {
    total += e.uncompressedSize;
    compressed += e.compressedSize;
    if (total > ZIP_LIMITS.maxTotalUncompressed) throw new Damaged(ZIP_PROBLEMS.tooBig);
    if (tooCompressed(e.uncompressedSize, e.compressedSize)) throw new Damaged(ZIP_PROBLEMS.ratio);
  }
  // Many parts just under the size judged one by one, each a bomb of its own, are judged together.
  if (tooCompressed(total, compressed)) throw new Damaged(ZIP_PROBLEMS.ratio);
  return entries;
}

const tooCompressed = (uncompressed: number, compressed: number) =>
  uncompressed >= ZIP_LIMITS.ratioCheckedFrom && uncompressed > compressed * ZIP_LIMITS.maxRatio;

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

/** Deflated parts up to this size are inflated in one call, a few milliseconds at most; larger ones are streamed. */
const INFLATE_AT_ONCE = 1024 * 1024;
/** How long synchronous work may hold the event loop before it yields. */
const SLICE_MS = 10;
/** Stored parts are checked (CRC-32) in pieces of this size, between which the event loop may run. */
const CRC_PIECE = 1024 * 1024;

/**
 * Inflates every part of an archive that `inspectZip` accepted, never beyond the size
 * its directory states, and answers the problem when a part's real size or CRC-32 is
 * not what the directory says (or its data cannot be inflated), otherwise null. Work
 * is done in slices of about 10 ms, and parts over 1 MB are inflated on the thread
 * pool; nothing inflated is kept. `deadline` (a `performance.now()` time) bounds the
 * whole check.
 */
export async function verifyZipContents(
  bytes: Buffer,
  entries: ZipEntry[],
  deadline = performance.now() + 30_000,
): Promise<string | null> {
  let slice = performance.now();
  const maybeYield = async () => {
    if (performance.now() - slice < SLICE_MS) return;
    await new Promise((resolve) => setImmediate(resolve));
    slice = performance.now();
  };
  for (const e of entries) {
    if (performance.now() > deadline) return ZIP_PROBLEMS.tooSlow;
    await maybeYield();
    const data = bytes.subarray(e.dataStart, e.dataStart + e.compressedSize);
    let real: { size: number; crc: number } | null;
    if (e.method === STORED) {
      let crc = 0;
      for (let at = 0; at < data.length; at += CRC_PIECE) {
        crc = zlib.crc32(data.subarray(at, at + CRC_PIECE), crc);
        await maybeYield();
      }
      real = { size: data.length, crc };
    } else if (e.uncompressedSize <= INFLATE_AT_ONCE) {
      real = inflateAtOnce(data, e.uncompressedSize);
    } else {
      real = await inflateStreaming(data, e.uncompressedSize, deadline);
      if (real === TOO_SLOW) return ZIP_PROBLEMS.tooSlow;
    }
    if (!real || real.size !== e.uncompressedSize || real.crc !== e.crc) return ZIP_PROBLEMS.damaged;
  }
  return null;
}

/** The same check, all at once: for callers that cannot wait (bytes that never passed through an upload). */
export function verifyZipContentsSync(bytes: Buffer, entries: ZipEntry[]): string | null {
  for (const e of entries) {
    const data = bytes.subarray(e.dataStart, e.dataStart + e.compressedSize);
    const real =
      e.method === STORED ? { size: data.length, crc: zlib.crc32(data) } : inflateAtOnce(data, e.uncompressedSize);
    if (!real || real.size !== e.uncompressedSize || real.crc !== e.crc) return ZIP_PROBLEMS.damaged;
  }
  return null;
}

/** Inflates a small part in one call, refusing (null) any output beyond its stated size. */
function inflateAtOnce(data: Buffer, statedSize: number): { size: number; crc: number } | null {
  try {
    // maxOutputLength is a hard cap: zlib stops and throws as soon as the output would pass it.
    const out = zlib.inflateRawSync(data, { maxOutputLength: Math.max(statedSize, 1) });
    return { size: out.length, crc: zlib.crc32(out) };
  } catch {
    return null;
  }
}

const TOO_SLOW = { size: -1, crc: -1 };

/**
 * Inflates a large part on the thread pool, counting and dropping the output as it
 * comes, and stops (null) as soon as it passes the stated size or the data is bad.
 */
function inflateStreaming(data: Buffer, statedSize: number, deadline: number) {
  return new Promise<{ size: number; crc: number } | null>((resolve) => {
    const inflater = zlib.createInflateRaw({ chunkSize: 256 * 1024 });
    let size = 0;
    let crc = 0;
    let settled = false;
    const finish = (answer: { size: number; crc: number } | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      inflater.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => finish(TOO_SLOW), Math.max(deadline - performance.now(), 0));
    inflater.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > statedSize) return finish(null);
      crc = zlib.crc32(chunk, crc);
    });
    inflater.on('end', () => finish({ size, crc }));
    inflater.on('error', () => finish(null));
    inflater.end(data);
  });
}
