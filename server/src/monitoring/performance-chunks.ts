import { mean, standardDeviation } from "./performance-metrics";

/** How rows are cut into chunks: fixed periods (aligned to the epoch, so `1d` is a UTC day), or every `rows` rows. */
export type ChunkSpec = { periodMs: number } | { rows: number };

/** Rows of one chunk, in time order, with the time span they cover. */
export type Chunk<T> = { start: number; end: number; rows: T[] };

/** Which chunks are the reference the alert band is computed from. */
export type ReferenceSpec = {
  /** The first `chunks` chunks (default 3)… */
  chunks: number;
  /** …or, when given, every chunk that ends at or before this time (epoch ms). */
  until?: number;
  /** Width of the band in standard deviations of the reference chunks; default 3. */
  sigma: number;
};

/** A metric's alert band: `mean ± sigma · std` of its value over the reference chunks. */
export type AlertBand = { mean: number; std: number; lower: number; upper: number };

/**
 * Cuts time-ordered rows into chunks: by period, chunks are the periods that hold rows (`start`
 * inclusive, `end` exclusive); by count, consecutive runs of `rows` rows (the last one may be
 * shorter), spanning from their first to their last row's time.
 *
 * @example
 * chunkRows(rows, { periodMs: 86_400_000 }, (r) => r.ts); // one chunk per UTC day with rows
 * chunkRows(rows, { rows: 500 }, (r) => r.ts);            // every 500 labelled rows
 */
export function chunkRows<T>(
  rows: readonly T[],
  spec: ChunkSpec,
  timeOf: (row: T) => number,
): Chunk<T>[] {
  const chunks: Chunk<T>[] = [];
  if ("rows" in spec) {
    for (let i = 0; i < rows.length; i += spec.rows) {
      const part = rows.slice(i, i + spec.rows);
      chunks.push({ start: timeOf(part[0]!), end: timeOf(part.at(-1)!), rows: part });
    }
    return chunks;
  }
  for (const row of rows) {
    const start = Math.floor(timeOf(row) / spec.periodMs) * spec.periodMs;
    const last = chunks.at(-1);
    if (last && last.start === start) last.rows.push(row);
    else chunks.push({ start, end: start + spec.periodMs, rows: [row] });
  }
  return chunks;
}

/** Indices of the reference chunks among `chunks` (see `ReferenceSpec`). */
export function referenceChunks(chunks: readonly { end: number }[], spec: ReferenceSpec): number[] {
  return chunks
    .map((chunk, i) => i)
    .filter((i) => (spec.until === undefined ? i < spec.chunks : chunks[i]!.end <= spec.until));
}

/**
 * The alert band of each metric over the reference chunks' values (NannyML's default threshold:
 * mean ± 3 standard deviations, population std). A metric needs a value in at least two
 * reference chunks to get a band; without one, its chunks never alert.
 *
 * @example
 * alertBands([{ mae: 1 }, { mae: 1.2 }, { mae: 0.8 }], [0, 1, 2], 3).mae; // { mean: 1, std: 0.163…, lower: 0.51…, upper: 1.48… }
 */
export function alertBands<M extends string>(
  metrics: readonly Partial<Record<M, number | null>>[],
  reference: readonly number[],
  sigma: number,
): Partial<Record<M, AlertBand>> {
  const bands: Partial<Record<M, AlertBand>> = {};
  const names = new Set(metrics.flatMap((m) => Object.keys(m) as M[]));
  for (const name of names) {
    const values = reference
      .map((i) => metrics[i]?.[name])
      .filter((v): v is number => typeof v === "number" && Number.isFinite(v));
    if (values.length < 2) continue;
    const m = mean(values)!;
    const std = standardDeviation(values)!;
    bands[name] = { mean: m, std, lower: m - sigma * std, upper: m + sigma * std };
  }
  return bands;
}

/** The metrics of `values` outside their band (none for a metric without a band or a value). */
export function alertsOf<M extends string>(
  values: Partial<Record<M, number | null>>,
  bands: Partial<Record<M, AlertBand>>,
): M[] {
  return (Object.keys(bands) as M[]).filter((name) => {
    const value = values[name];
    const band = bands[name]!;
    return typeof value === "number" && (value < band.lower || value > band.upper);
  });
}
