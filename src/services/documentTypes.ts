import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import multer from 'multer';
import type { Clock } from '../core/clock';
import { AppError, BadRequestError, TooManyRequestsError, ValidationError } from '../core/errors';
import { log } from '../core/log';
import { inspectZip, verifyZipContents, verifyZipContentsSync, type ZipEntry } from './zipInspection';

/**
 * Recognises the document formats a review may carry from their bytes, not from
 * the name or the type the browser claimed, and refuses what cannot belong to a
 * real document, so nothing stored can harm whoever opens it later.
 *
 * - A PDF must end with its trailer and be opened by a PDF library (PDF.js, in a
 *   worker thread of its own, with a time and memory limit).
 * - DOCX and ODT are zip packages: their directory is read and judged (size, ratio,
 *   parts), then every part is inflated, never past the size the directory states,
 *   and must be exactly that size with that CRC-32 (see zipInspection.ts).
 *
 * Uploads are examined as they arrive (`examineDocument`, from the upload parser,
 * `documentUpload`), without holding the event loop; `acceptDocument` then uses that
 * verdict. Bytes that never went through the upload parser (demo data) are checked
 * on the spot by `classifyDocument`, synchronously.
 */

export interface DetectedType {
  contentType: string;
  extension: string;
}

export type Verdict = DetectedType | { problem: string };

const PDF: DetectedType = { contentType: 'application/pdf', extension: 'pdf' };
const DOCX: DetectedType = {
  contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  extension: 'docx',
};
const ODT: DetectedType = { contentType: 'application/vnd.oasis.opendocument.text', extension: 'odt' };

const NOT_A_DOCUMENT = 'must be a PDF, DOCX or ODT document';
const NESTED = "holds another zip archive where the document's text should be, so it is not a real document";
const PDF_PASSWORD = 'is password-protected: remove the password and upload it again';
const PDF_TOO_SLOW = 'took too long to open, so it may be damaged or not a real document';

const ZIP_LOCAL_HEADER = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/** What examineDocument found for bytes it has seen: the upload parser examines, the service then accepts. */
const verdicts = new WeakMap<Buffer, Verdict>();

/**
 * What the bytes are, or what is wrong with them in words that follow "The file ...":
 * the verdict examineDocument reached for these very bytes, or else a check made on
 * the spot (a PDF's trailer and cross-reference, a package's parts all inflated).
 */
export function classifyDocument(bytes: Buffer): Verdict {
  const known = verdicts.get(bytes);
  if (known) return known;
  if (isPdf(bytes)) return hasCrossReference(bytes) ? PDF : { problem: NOT_A_DOCUMENT };
  if (isZip(bytes)) {
    const found = classifyPackage(bytes);
    if (!found.ok) return { problem: found.problem };
    return found.verify(verifyZipContentsSync(bytes, found.entries));
  }
  return { problem: NOT_A_DOCUMENT };
}

/**
 * The full check, without holding the event loop: a PDF is opened by PDF.js in a
 * worker thread, and a package's parts are inflated in slices and on the thread pool.
 * The verdict is kept for these bytes, for classifyDocument and acceptDocument.
 */
export async function examineDocument(bytes: Buffer): Promise<Verdict> {
  const verdict = await examine(bytes);
  verdicts.set(bytes, verdict);
  return verdict;
}

async function examine(bytes: Buffer): Promise<Verdict> {
  if (isPdf(bytes)) {
    if (startXref(bytes) === null) return { problem: NOT_A_DOCUMENT };
    const opened = await pdfReader.open(bytes);
    if (opened === 'ok') return PDF;
    return { problem: opened === 'password' ? PDF_PASSWORD : opened === 'slow' ? PDF_TOO_SLOW : NOT_A_DOCUMENT };
  }
  if (isZip(bytes)) {
    const found = classifyPackage(bytes);
    if (!found.ok) return { problem: found.problem };
    return found.verify(await verifyZipContents(bytes, found.entries));
  }
  return { problem: NOT_A_DOCUMENT };
}

export function detectDocumentType(bytes: Buffer): DetectedType | null {
  const found = classifyDocument(bytes);
  return 'problem' in found ? null : found;
}

const isPdf = (bytes: Buffer) => /^%PDF-\d\.\d/.test(bytes.subarray(0, 8).toString('latin1'));
const isZip = (bytes: Buffer) => bytes.subarray(0, 4).equals(ZIP_LOCAL_HEADER);

/**
 * A PDF ends with "startxref", the offset of its cross-reference table, and "%%EOF"
 * within its last 1024 bytes (ISO 32000-1, 7.5.5): the offset, or null when there is
 * none. A renamed text file or a PDF cut short has none.
 */
function startXref(bytes: Buffer): number | null {
  const tail = bytes.subarray(-1024).toString('latin1');
  const last = [...tail.matchAll(/startxref\s+(\d{1,12})\s+%%EOF/g)].at(-1);
  const offset = last ? Number(last[1]) : NaN;
  return offset < bytes.length ? offset : null;
}

/**
 * The check made without a PDF library: "startxref" points at a cross-reference table
 * ("xref") or stream ("n g obj"), which names the document's catalog (/Root). An HTML
 * page between a "%PDF-" line and a made-up trailer does not.
 */
function hasCrossReference(bytes: Buffer): boolean {
  const offset = startXref(bytes);
  if (offset === null) return false;
  const there = bytes.subarray(offset, offset + 64).toString('latin1');
  return /^\s*(xref\b|\d+\s+\d+\s+obj\b)/.test(there) && bytes.indexOf('/Root', offset, 'latin1') !== -1;
}

type PackageCheck =
  { ok: true; entries: ZipEntry[]; verify: (problem: string | null) => Verdict } | { ok: false; problem: string };

/** A package judged from its directory; `verify` turns the check of its contents into the verdict. */
function classifyPackage(bytes: Buffer): PackageCheck {
  const zip = inspectZip(bytes);
  if (!zip.ok) return { ok: false, problem: zip.problem };
  const byName = new Map(zip.entries.map((e) => [e.name, e]));
  const first = zip.entries.find((e) => e.localHeaderOffset === 0)!;
  const found = (type: DetectedType): PackageCheck => ({
    ok: true,
    entries: zip.entries,
    verify: (problem) => (problem ? { problem } : type),
  });

  // ODF requires an uncompressed first entry "mimetype" holding the media type (ODF 1.2, part 3, 3.3).
  if (first.name === 'mimetype') {
    const isOdt =
      first.method === 0 &&
      bytes.subarray(first.dataStart, first.dataStart + first.compressedSize).toString('latin1') === ODT.contentType;
    const content = byName.get('content.xml');
    if (!isOdt || !content || !byName.has('META-INF/manifest.xml')) return { ok: false, problem: NOT_A_DOCUMENT };
    return holdsZip(bytes, content) ? { ok: false, problem: NESTED } : found(ODT);
  }
  // OOXML: the content types part and the main document part (ECMA-376 part 2).
  const main = byName.get('word/document.xml');
  if (!main || !byName.has('[Content_Types].xml')) return { ok: false, problem: NOT_A_DOCUMENT };
  return holdsZip(bytes, main) ? { ok: false, problem: NESTED } : found(DOCX);
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

/* ------------------------------------------------------------------------------------------------
 * PDF.js, in a worker thread: parsing never holds the event loop, a PDF that takes too long is
 * stopped with its thread, and one that needs too much memory ends only that thread.
 * ---------------------------------------------------------------------------------------------- */

type PdfAnswer = 'ok' | 'invalid' | 'password' | 'slow';

const PDF_LIMITS = {
  /** A real report opens in well under a second; this also covers the worker's start. */
  timeoutMs: 10_000,
  maxOldGenerationSizeMb: 256,
  /** The worker ends after this long without work, giving back its memory. */
  idleMs: 60_000,
};

/**
 * Opens the document and its first and last pages (each page's dictionary and
 * resources are read, nothing is drawn). A broken cross-reference table is rebuilt,
 * as readers do, but something with no document catalog or pages is refused.
 */
const PDF_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const loading = import(workerData.pdfjs);
loading.catch(() => {});
parentPort.on('message', async ({ id, bytes }) => {
  let pdfjs;
  try {
    pdfjs = await loading;
  } catch (err) {
    parentPort.postMessage({ id, answer: 'unavailable', reason: String(err && err.message) });
    return;
  }
  let answer = 'invalid';
  const task = pdfjs.getDocument({
    data: bytes,
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    useWorkerFetch: false,
    enableXfa: false,
    verbosity: 0,
  });
  try {
    const doc = await task.promise;
    if (doc.numPages >= 1) {
      await doc.getPage(1);
      if (doc.numPages > 1) await doc.getPage(doc.numPages);
      answer = 'ok';
    }
  } catch (err) {
    if (err && err.name === 'PasswordException') answer = 'password';
  }
  await task.destroy().catch(() => {});
  parentPort.postMessage({ id, answer });
});
`;

/** One worker thread, started when first needed; documents are opened one at a time, in turn. */
function createPdfReader() {
  let worker: Worker | null = null;
  let idle: NodeJS.Timeout | null = null;
  let nextId = 1;
  let current: { id: number; settle: (answer: PdfAnswer) => void } | null = null;
  const queue: { bytes: Buffer; settle: (answer: PdfAnswer) => void }[] = [];

  const stop = () => {
    const stopping = worker;
    worker = null;
    void stopping?.terminate();
  };

  const start = () => {
    const w = new Worker(PDF_WORKER, {
      eval: true,
      workerData: { pdfjs: pathToFileURL(require.resolve('pdfjs-dist/legacy/build/pdf.mjs')).href },
      resourceLimits: { maxOldGenerationSizeMb: PDF_LIMITS.maxOldGenerationSizeMb },
    });
    w.on('message', (message: { id: number; answer: PdfAnswer | 'unavailable'; reason?: string }) => {
      if (current?.id !== message.id) return;
      if (message.answer === 'unavailable') {
        log.error({ reason: message.reason ?? 'unknown' }, 'PDF reader unavailable');
        stop();
      }
      current.settle(message.answer === 'unavailable' ? 'invalid' : message.answer);
    });
    // Out of memory, or a fault in PDF.js: the document being read is refused, the next gets a new worker.
    const failed = (why: string) => {
      if (worker !== w) return;
      worker = null;
      log.error({ why }, 'PDF reader stopped');
      current?.settle('invalid');
    };
    w.on('error', (err) => failed(err.name));
    w.on('exit', (code) => failed(`exit ${code}`));
    // After the listeners: adding a 'message' listener would hold the process open again.
    w.unref();
    return w;
  };

  const next = () => {
    if (current || queue.length === 0) return;
    const job = queue.shift()!;
    if (idle) clearTimeout(idle);
    worker ??= start();
    const id = nextId++;
    const timer = setTimeout(() => {
      // The thread may be stuck in a loop: stopping it is the only way to stop the work.
      stop();
      current?.settle('slow');
    }, PDF_LIMITS.timeoutMs);
    current = {
      id,
      settle: (answer) => {
        if (current?.id !== id) return;
        clearTimeout(timer);
        current = null;
        job.settle(answer);
        if (queue.length > 0) return next();
        idle = setTimeout(stop, PDF_LIMITS.idleMs);
        idle.unref();
      },
    };
    // A copy, handed over whole to the worker: the upload's own bytes stay as they are.
    const copy = new Uint8Array(job.bytes);
    worker.postMessage({ id, bytes: copy }, [copy.buffer]);
  };

  return {
    open(bytes: Buffer): Promise<PdfAnswer> {
      return new Promise((settle) => {
        queue.push({ bytes, settle });
        next();
      });
    },
  };
}

const pdfReader = createPdfReader();

/* ------------------------------------------------------------------------------------------------
 * The upload parser for documents, shared by the pages and the API.
 * ---------------------------------------------------------------------------------------------- */

/**
 * How much a user may upload, and how many uploads the process takes at once: each
 * upload is held in memory while it is read and checked. The counts are kept in the
 * process's memory, so each instance of the app allows as much, and a restart forgets
 * them.
 */
export const UPLOAD_LIMITS = {
  /** Uploads a user may have in progress at once. */
  concurrentPerUser: 2,
  /** Uploads the process reads and checks at once, everyone's together. */
  concurrentInProcess: 8,
  /**
   * What a user may send within the window: this many uploads of the largest size allowed
   * (30 × MAX_UPLOAD_MB, 600 MB by default). Each upload counts the size of its request
   * (its Content-Length, known before it is read), and at least a twentieth of the largest
   * size, so small files are limited too: 600 of them at most.
   */
  fullSizeUploadsInWindow: 30,
  smallestShare: 1 / 20,
  windowMs: 10 * 60_000,
};

/** Admits uploads within UPLOAD_LIMITS; the answer is a release to call when the upload is over. */
export function createUploadGate(clock: Clock, maxUploadBytes: number, limits = UPLOAD_LIMITS) {
  const quota = limits.fullSizeUploadsInWindow * maxUploadBytes;
  const smallest = Math.ceil(maxUploadBytes * limits.smallestShare);
  const active = new Map<string, number>();
  const sent = new Map<string, { at: number; bytes: number }[]>();
  let inProcess = 0;
  return {
    /** `requestBytes`: the request's Content-Length, or null when it did not say (counted as the largest). */
    admit(who: string, requestBytes: number | null): () => void {
      const now = clock.now().getTime();
      const recent = (sent.get(who) ?? []).filter((upload) => upload.at > now - limits.windowMs);
      if (recent.length > 0) sent.set(who, recent);
      else sent.delete(who);
      if ((active.get(who) ?? 0) >= limits.concurrentPerUser) {
        throw new TooManyRequestsError(
          `You are already uploading ${limits.concurrentPerUser} documents. Wait until they have finished, then try again.`,
          10,
        );
      }
      const bytes = Math.min(Math.max(requestBytes ?? maxUploadBytes, smallest), maxUploadBytes);
      let used = recent.reduce((sum, upload) => sum + upload.bytes, 0);
      if (used + bytes > quota) {
        // The wait: until enough of the oldest uploads have left the window for this one to fit.
        let until = now;
        for (const upload of recent) {
          if (used + bytes <= quota) break;
          used -= upload.bytes;
          until = upload.at + limits.windowMs;
        }
        const wait = Math.max(Math.ceil((until - now) / 1000), 1);
        throw new TooManyRequestsError(
          `You have uploaded as much as may be uploaded in ${limits.windowMs / 60_000} minutes. Try again in ${Math.ceil(wait / 60)} minutes.`,
          wait,
        );
      }
      if (inProcess >= limits.concurrentInProcess) {
        throw new TooManyRequestsError('The service is receiving many documents just now. Try again in a minute.', 30);
      }
      inProcess++;
      active.set(who, (active.get(who) ?? 0) + 1);
      sent.set(who, [...recent, { at: now, bytes }]);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        inProcess--;
        const left = (active.get(who) ?? 1) - 1;
        if (left > 0) active.set(who, left);
        else active.delete(who);
      };
    },
  };
}

export interface DocumentUpload {
  single(field: string): RequestHandler;
}

/** One gate for each app (its services), shared by its pages and its API. */
const gates = new WeakMap<object, ReturnType<typeof createUploadGate>>();

/**
 * A multer storage engine that keeps the file in memory, as multer's own does, and
 * examines it (examineDocument) before the route sees it.
 */
const examiningStorage: multer.StorageEngine = {
  _handleFile(_req, file, callback) {
    const chunks: Buffer[] = [];
    file.stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    file.stream.on('end', () => {
      const buffer = Buffer.concat(chunks);
      chunks.length = 0;
      const done = () => callback(null, { buffer, size: buffer.length });
      // Over the size limit: multer refuses it, so there is nothing to examine.
      if ((file.stream as { truncated?: boolean }).truncated || buffer.length === 0) return done();
      // A fault in the examination leaves no verdict: acceptDocument then checks the bytes itself.
      examineDocument(buffer).then(done, done);
    });
  },
  _removeFile(_req, file, callback) {
    delete (file as { buffer?: Buffer }).buffer;
    callback(null);
  },
};

const UNREADABLE =
  'The upload could not be read: the form was incomplete or not sent as a file upload. Nothing was saved. Choose the file and send the form again.';

/**
 * The upload parser for a route that receives a document: multer with a UTF-8 reading
 * of file names (browsers send them in UTF-8; busboy would otherwise read them as
 * Latin-1), the file examined as it arrives, at most UPLOAD_LIMITS at a time and per
 * user, and a body that is not well-formed multipart (cut short, or without its
 * boundary) answered with a 400 rather than a fault.
 */
export function documentUpload(
  app: { clock: Clock; maxUploadBytes: number; uploadsAtOnce?: number },
  limits: { fields: number; parts: number; fileSize?: number },
): DocumentUpload {
  let gate = gates.get(app);
  if (!gate) {
    const limits = { ...UPLOAD_LIMITS, concurrentPerUser: app.uploadsAtOnce ?? UPLOAD_LIMITS.concurrentPerUser };
    gates.set(app, (gate = createUploadGate(app.clock, app.maxUploadBytes, limits)));
  }
  const admitted = gate;
  const parser = multer({
    storage: examiningStorage,
    defParamCharset: 'utf8',
    limits: { fileSize: app.maxUploadBytes, files: 1, ...limits },
  });
  return {
    single(field: string): RequestHandler {
      const parse = parser.single(field);
      return (req: Request, res: Response, next: NextFunction) => {
        if (!req.is('multipart')) return parse(req, res, next);
        const length = Number(req.headers['content-length']);
        const release = admitted.admit(
          req.user ? `user:${req.user.id}` : `address:${req.ip}`,
          Number.isSafeInteger(length) && length >= 0 ? length : null,
        );
        res.once('close', release);
        parse(req, res, (err?: unknown) => {
          if (err && !(err instanceof multer.MulterError) && !(err instanceof AppError)) {
            return next(new BadRequestError(UNREADABLE));
          }
          next(err);
        });
      };
    },
  };
}
