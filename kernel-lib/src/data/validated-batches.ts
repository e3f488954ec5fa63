/**
 * The batches an ingest's validation pass converted, kept for its write pass so the source is
 * parsed once: in memory while they fit one write group, spilled to a temporary Arrow IPC file
 * beyond that (memory stays bounded; reading them back costs no parsing).
 *
 * @example
 * ```ts
 * const validated = new ValidatedBatches(100_000);
 * for (const batch of converted) await validated.add(batch);
 * for await (const batch of validated.batches()) await write(batch);
 * await validated.dispose();
 * ```
 */
import { createReadStream } from "node:fs";
import { mkdtemp, open, rm, type FileHandle } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RecordBatch } from "apache-arrow";
import { loadArrow } from "./lazy-modules";

/** Converted batches, in memory up to `memoryRows` rows, then in a temporary file. */
export class ValidatedBatches {
  readonly #memoryRows: number;
  #held: RecordBatch[] = [];
  #rows = 0;
  #spill: { dir: string; file: string; handle: FileHandle } | undefined;

  constructor(memoryRows: number) {
    this.#memoryRows = memoryRows;
  }

  /** Rows added so far. */
  get rows(): number {
    return this.#rows;
  }

  async add(batch: RecordBatch): Promise<void> {
    this.#rows += batch.numRows;
    if (!this.#spill && this.#rows <= this.#memoryRows) {
      this.#held.push(batch);
      return;
    }
    if (!this.#spill) {
      const dir = await mkdtemp(join(tmpdir(), "kiln-ingest-"));
      const file = join(dir, "validated.arrows");
      this.#spill = { dir, file, handle: await open(file, "w") };
      for (const held of this.#held.splice(0)) await this.#write(held);
    }
    await this.#write(batch);
  }

  /** The batches in the order they were added. */
  async *batches(): AsyncGenerator<RecordBatch> {
    if (!this.#spill) {
      for (const batch of this.#held) yield batch;
      return;
    }
    await this.#spill.handle.close();
    // Each batch was written as its own IPC stream; readAll reads them one after the other.
    const readers = loadArrow().RecordBatchReader.readAll(createReadStream(this.#spill.file));
    for await (const reader of readers) {
      for await (const batch of reader) yield batch;
    }
  }

  /** Releases the memory and deletes the temporary file. */
  async dispose(): Promise<void> {
    this.#held = [];
    if (!this.#spill) return;
    await this.#spill.handle.close().catch(() => undefined);
    await rm(this.#spill.dir, { recursive: true, force: true });
    this.#spill = undefined;
  }

  async #write(batch: RecordBatch): Promise<void> {
    const arrow = loadArrow();
    const bytes = arrow.tableToIPC(new arrow.Table(batch.schema, [batch]), "stream");
    await this.#spill!.handle.write(bytes);
  }
}
