/**
 * Minimal ZIP reader for XLSX/ODS (no dependency): central directory, stored and deflated entries,
 * per-entry declared-size checks and an inflate output limit enforced while inflating (zip bombs).
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInflateRaw } from 'node:zlib';

export interface ZipLimits {
  /** Largest inflated size of one entry. */
  maxEntryBytes: number;
  /** Total inflated bytes allowed for the whole archive, as a multiple of the archive size. */
  maxRatio: number;
  /** Absolute cap on the total inflated bytes. */
  maxTotalBytes: number;
  maxEntries: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntryBytes: 512 * 1024 * 1024,
  maxRatio: 200,
  maxTotalBytes: 1024 * 1024 * 1024,
  maxEntries: 10_000,
};

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

export class ZipError extends Error {}

export class ZipReader {
  private inflatedTotal = 0;
  private readonly budget: number;

  private constructor(
    private readonly path: string,
    readonly size: number,
    readonly entries: Map<string, ZipEntry>,
    private readonly limits: ZipLimits,
  ) {
    this.budget = Math.min(limits.maxTotalBytes, Math.max(64 * 1024, size * limits.maxRatio));
  }

  static async open(path: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<ZipReader> {
    const fh = await open(path, 'r');
    try {
      const { size } = await fh.stat();
      if (size < 22) throw new ZipError("Le fichier n'est pas une archive ZIP valide (trop court).");
      const tailLen = Math.min(size, 22 + 65535);
      const tail = Buffer.alloc(tailLen);
      await fh.read(tail, 0, tailLen, size - tailLen);
      let eocd = -1;
      for (let i = tailLen - 22; i >= 0; i--) {
        if (tail.readUInt32LE(i) === 0x06054b50) {
          eocd = i;
          break;
        }
      }
      if (eocd < 0) throw new ZipError("Le fichier n'est pas une archive ZIP valide (fin de répertoire introuvable) : il est peut-être tronqué.");
      const count = tail.readUInt16LE(eocd + 10);
      const cdSize = tail.readUInt32LE(eocd + 12);
      const cdOffset = tail.readUInt32LE(eocd + 16);
      if (count === 0xffff || cdOffset === 0xffffffff) throw new ZipError('Les archives ZIP64 ne sont pas acceptées.');
      if (count > limits.maxEntries) throw new ZipError(`L'archive contient trop d'entrées (${count}).`);
      if (cdOffset + cdSize > size) throw new ZipError('Archive ZIP tronquée : le répertoire central dépasse la fin du fichier.');
      const cd = Buffer.alloc(cdSize);
      await fh.read(cd, 0, cdSize, cdOffset);
      const entries = new Map<string, ZipEntry>();
      let p = 0;
      for (let k = 0; k < count; k++) {
        if (p + 46 > cd.length || cd.readUInt32LE(p) !== 0x02014b50) throw new ZipError('Répertoire central ZIP illisible.');
        const flags = cd.readUInt16LE(p + 8);
        const method = cd.readUInt16LE(p + 10);
        const compressedSize = cd.readUInt32LE(p + 20);
        const uncompressedSize = cd.readUInt32LE(p + 24);
        const nameLen = cd.readUInt16LE(p + 28);
        const extraLen = cd.readUInt16LE(p + 30);
        const commentLen = cd.readUInt16LE(p + 32);
        const localHeaderOffset = cd.readUInt32LE(p + 42);
        const name = cd.toString('utf8', p + 46, p + 46 + nameLen);
        if (flags & 1) throw new ZipError(`L'entrée « ${name} » de l'archive est chiffrée.`);
        entries.set(name, { name, method, compressedSize, uncompressedSize, localHeaderOffset });
        p += 46 + nameLen + extraLen + commentLen;
      }
      return new ZipReader(path, size, entries, limits);
    } finally {
      await fh.close();
    }
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** Stream the inflated bytes of an entry, refusing it past the limits. */
  async *stream(name: string): AsyncGenerator<Buffer> {
    const e = this.entries.get(name);
    if (!e) throw new ZipError(`Entrée « ${name} » absente de l'archive.`);
    if (e.uncompressedSize > this.limits.maxEntryBytes || this.inflatedTotal + e.uncompressedSize > this.budget) {
      throw this.bomb(name);
    }
    if (e.method !== 0 && e.method !== 8) throw new ZipError(`Méthode de compression ${e.method} non prise en charge (entrée « ${name} »).`);
    const fh = await open(this.path, 'r');
    let dataStart: number;
    try {
      const h = Buffer.alloc(30);
      await fh.read(h, 0, 30, e.localHeaderOffset);
      if (h.readUInt32LE(0) !== 0x04034b50) throw new ZipError(`En-tête local de « ${name} » illisible.`);
      dataStart = e.localHeaderOffset + 30 + h.readUInt16LE(26) + h.readUInt16LE(28);
    } finally {
      await fh.close();
    }
    if (dataStart + e.compressedSize > this.size) throw new ZipError(`Archive tronquée : l'entrée « ${name} » dépasse la fin du fichier.`);
    const raw = createReadStream(this.path, { start: dataStart, end: dataStart + e.compressedSize - 1 });
    if (e.compressedSize === 0) {
      raw.destroy();
      return;
    }
    const source = e.method === 8 ? raw.pipe(createInflateRaw({ chunkSize: 64 * 1024 })) : raw;
    let entryTotal = 0;
    try {
      for await (const chunk of source as AsyncIterable<Buffer>) {
        entryTotal += chunk.length;
        this.inflatedTotal += chunk.length;
        if (entryTotal > this.limits.maxEntryBytes || this.inflatedTotal > this.budget || entryTotal > e.uncompressedSize) {
          throw this.bomb(name);
        }
        yield chunk;
      }
    } catch (err) {
      if (err instanceof ZipError) throw err;
      throw new ZipError(`Entrée « ${name} » de l'archive illisible (données compressées corrompues ou tronquées).`);
    } finally {
      raw.destroy();
      if (source !== raw) (source as NodeJS.ReadableStream & { destroy(): void }).destroy();
    }
  }

  /** Read a small entry whole (bounded by the same limits and `maxChars`). */
  async text(name: string, maxBytes: number): Promise<string> {
    const parts: Buffer[] = [];
    let n = 0;
    for await (const c of this.stream(name)) {
      n += c.length;
      if (n > maxBytes) throw new ZipError(`L'entrée « ${name} » de l'archive est trop grande (plus de ${maxBytes} octets).`);
      parts.push(c);
    }
    return Buffer.concat(parts).toString('utf8');
  }

  private bomb(name: string): ZipError {
    return new ZipError(
      `Archive refusée : l'entrée « ${name} » se décompresse au-delà de la limite autorisée (${Math.round(this.budget / 1024)} Ko pour un fichier de ${Math.round(this.size / 1024)} Ko) — possible bombe de décompression.`,
    );
  }
}
