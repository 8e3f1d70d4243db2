/**
 * Reads an uploaded Inspect log from GridFS without holding it in memory: a `.eval` (zip) through
 * random-access range reads of only its central directory and header.json; a `.json` through a
 * streaming parser that skips the samples. What is read is summarised by domain/inspect-log.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { GridFSBucket, ObjectId } from 'mongodb';
import yauzl from 'yauzl';
import { parser } from 'stream-json';
import { ignore } from 'stream-json/filters/Ignore';
import Assembler from 'stream-json/Assembler';
import { InvalidLogError, summarizeInspectLog, type InspectSummary } from '../domain/inspect-log';
import { NonFiniteJsonTransform, parsePythonJson, reviveNonFinite } from './python-json';

export type LogFormat = 'eval' | 'json';

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const MAX_HEADER_BYTES = 64 * 1024 * 1024;

/** Tells the two formats apart by content, not by file name. */
export function detectFormat(firstBytes: Buffer): LogFormat {
  if (firstBytes.subarray(0, 4).equals(ZIP_MAGIC)) return 'eval';
  const first = firstBytes.toString('utf8').trimStart()[0];
  if (first === '{') return 'json';
  throw new InvalidLogError('not an Inspect log: neither a .eval archive nor a JSON log');
}

export interface ReadLog {
  summary: InspectSummary;
  /** The log header (without samples), for storage. */
  header: Record<string, unknown>;
}

export async function readInspectLog(bucket: GridFSBucket, fileId: ObjectId, size: number, format: LogFormat): Promise<ReadLog> {
  const header = format === 'eval' ? await readEvalHeader(bucket, fileId, size) : await readJsonHeader(bucket, fileId);
  return { summary: summarizeInspectLog(header), header: header as Record<string, unknown> };
}

/** How much of an archive's end to read at once: its central directory and, as Inspect writes them, header.json. */
const TAIL_BYTES = 4 * 1024 * 1024;

/**
 * Random access into a GridFS file for yauzl. A zip is read from its end (the central directory),
 * one small read per entry; each GridFS range read is a query, so the tail is fetched once and
 * reads inside it are served from memory (bounded by TAIL_BYTES). Reads elsewhere go to GridFS.
 */
class GridFsReader extends yauzl.RandomAccessReader {
  private readonly tailStart: number;
  private tail?: Promise<Buffer>;

  constructor(private readonly bucket: GridFSBucket, private readonly fileId: ObjectId, private readonly size: number) {
    super();
    this.tailStart = Math.max(0, size - TAIL_BYTES);
  }

  override _readStreamForRange(start: number, end: number): Readable {
    if (start < this.tailStart) return this.bucket.openDownloadStream(this.fileId, { start, end });
    this.tail ??= (async () => {
      const parts: Buffer[] = [];
      for await (const part of this.bucket.openDownloadStream(this.fileId, { start: this.tailStart, end: this.size })) parts.push(part as Buffer);
      return Buffer.concat(parts);
    })();
    return Readable.from((async function* (tail: Promise<Buffer>, from: number) {
      yield (await tail).subarray(start - from, end - from);
    })(this.tail, this.tailStart));
  }
}

async function readEvalHeader(bucket: GridFSBucket, fileId: ObjectId, size: number): Promise<unknown> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromRandomAccessReader(new GridFsReader(bucket, fileId, size), size, { lazyEntries: true, autoClose: false }, (error, z) =>
      error ? reject(new InvalidLogError(`the .eval archive is truncated or damaged: ${error.message}`)) : resolve(z)));
  try {
    const entry = await new Promise<yauzl.Entry | undefined>((resolve, reject) => {
      zip.on('entry', (e: yauzl.Entry) => (e.fileName === 'header.json' ? resolve(e) : zip.readEntry()));
      zip.on('end', () => resolve(undefined));
      zip.on('error', (e: Error) => reject(new InvalidLogError(`the .eval archive is damaged: ${e.message}`)));
      zip.readEntry();
    });
    if (!entry) throw new InvalidLogError('the .eval archive has no header.json: the evaluation did not finish');
    if (entry.uncompressedSize > MAX_HEADER_BYTES) throw new InvalidLogError('header.json is too large');
    const stream = await new Promise<Readable>((resolve, reject) => zip.openReadStream(entry, (e, s) => (e ? reject(new InvalidLogError(`cannot read header.json: ${e.message}`)) : resolve(s))));
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of stream) chunks.push(chunk as Buffer);
    } catch (error) {
      throw new InvalidLogError(`cannot read header.json: ${(error as Error).message}`);
    }
    try {
      return parsePythonJson(Buffer.concat(chunks).toString('utf8'));
    } catch (error) {
      throw new InvalidLogError(`header.json is truncated or not JSON: ${(error as Error).message}`);
    }
  } finally {
    zip.close();
  }
}

/** Streams the JSON, dropping the bulky parts (samples, logging, reductions) as they pass. */
async function readJsonHeader(bucket: GridFSBucket, fileId: ObjectId): Promise<unknown> {
  const filter = ignore({ filter: /^(samples|logging|reductions)(\.|$)/ });
  const assembler = Assembler.connectTo(filter);
  try {
    await pipeline(bucket.openDownloadStream(fileId), new NonFiniteJsonTransform(), parser(), filter);
  } catch (error) {
    throw new InvalidLogError(`the log is truncated or not valid JSON: ${(error as Error).message}`);
  }
  if (!assembler.done || assembler.current === undefined) throw new InvalidLogError('the log is truncated: the JSON document does not end');
  return reviveNonFinite(assembler.current);
}
