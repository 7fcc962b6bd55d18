import * as zlib from 'node:zlib';

/**
 * Gzip (RFC 1952) for event streams without a compressor per client. A deflate stream (RFC 1951)
 * is a sequence of blocks, and a block may be "stored" (uncompressed, no state needed) or
 * compressed on its own without referring to earlier data. So each piece of the stream is encoded
 * once, as self-contained blocks that end on a byte boundary, and the same bytes are written to
 * every client: the snapshot of hundreds of incidents compressed once for everyone connecting in
 * that second, small live events as stored blocks. A client costs two numbers (the running CRC-32
 * and length the gzip trailer needs), where a zlib stream per client would hold hundreds of KB.
 */

/** Pieces this long or longer are compressed; shorter ones are stored (compressing them gains little). */
const COMPRESS_FROM = 1024;
const STORED_MAX = 0xffff;

const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff]);
/** An empty stored block marked final: the end of the deflate data. */
const FINAL_BLOCK = Buffer.from([0x01, 0x00, 0x00, 0xff, 0xff]);

function storedBlocks(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; at < raw.length; at += STORED_MAX) {
    const chunk = raw.subarray(at, at + STORED_MAX);
    const len = chunk.length;
    // BFINAL 0, BTYPE 00 (stored), padded to the byte; then LEN and its one's complement, little-endian.
    parts.push(Buffer.from([0x00, len & 0xff, len >> 8, ~len & 0xff, (~len >> 8) & 0xff]), chunk);
  }
  return Buffer.concat(parts);
}

/** A piece of the event stream: its text, and its deflate blocks made the first time a client needs them. */
export class StreamPiece {
  private blocks: Buffer | null = null;
  private bytes: Buffer | null = null;

  constructor(readonly text: string) {}

  get raw(): Buffer {
    return (this.bytes ??= Buffer.from(this.text));
  }

  deflated(): Buffer {
    // A sync flush ends the compressed blocks on a byte boundary without a final block.
    this.blocks ??=
      this.raw.length >= COMPRESS_FROM
        ? zlib.deflateRawSync(this.raw, { level: 6, finishFlush: zlib.constants.Z_SYNC_FLUSH })
        : storedBlocks(this.raw);
    return this.blocks;
  }
}

/** One client's gzip member: the header, then pieces, then the trailer when the stream ends cleanly. */
export class GzipMember {
  private crc = 0;
  private size = 0;

  header(): Buffer {
    return GZIP_HEADER;
  }

  encode(pieces: readonly StreamPiece[]): Buffer {
    const out: Buffer[] = [];
    for (const p of pieces) {
      this.crc = zlib.crc32(p.raw, this.crc);
      this.size = (this.size + p.raw.length) >>> 0;
      out.push(p.deflated());
    }
    return out.length === 1 ? out[0]! : Buffer.concat(out);
  }

  trailer(): Buffer {
    const t = Buffer.alloc(8);
    t.writeUInt32LE(this.crc >>> 0, 0);
    t.writeUInt32LE(this.size, 4);
    return Buffer.concat([FINAL_BLOCK, t]);
  }
}
