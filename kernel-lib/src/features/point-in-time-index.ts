/**
 * The point-in-time lookup behind training sets: feature rows grouped by entity key, each group
 * sorted by event time, so "the latest row of key K at or before time T" is a map lookup and a
 * binary search. Building is O(n log n) in the feature rows, each lookup O(log n): the join is
 * never O(entities × features).
 *
 * @example
 * ```ts
 * const index = PointInTimeIndex.build(["a", "a", "b"], [10, 20, 5]);
 * index.latestAtOrBefore("a", 15); // 0 (the row of time 10)
 * index.latestAtOrBefore("a", 15, { ttl: 4 }); // -1 (10 is older than 15 - 4)
 * ```
 */

/** Feature rows of one table, indexed by key and event time. */
export class PointInTimeIndex {
  /** Row numbers ordered by key group, then event time, then row number. */
  readonly #rows: Uint32Array;
  /** Event times in the order of `#rows`. */
  readonly #times: Float64Array;
  /** Key → [start, end) in `#rows`. */
  readonly #groups: Map<string, [number, number]>;

  private constructor(
    rows: Uint32Array,
    times: Float64Array,
    groups: Map<string, [number, number]>,
  ) {
    this.#rows = rows;
    this.#times = times;
    this.#groups = groups;
  }

  /** Indexes rows whose key is `keys[i]` and event time `times[i]` (epoch milliseconds). */
  static build(keys: readonly string[], times: ArrayLike<number>): PointInTimeIndex {
    // Bucketing by key first keeps the sort to numbers within each key, far cheaper than
    // comparing (key, time) pairs across the whole table.
    const buckets = new Map<string, number[]>();
    for (let row = 0; row < keys.length; row++) {
      const bucket = buckets.get(keys[row]!);
      if (bucket) bucket.push(row);
      else buckets.set(keys[row]!, [row]);
    }
    const rows = new Uint32Array(keys.length);
    const sortedTimes = new Float64Array(keys.length);
    const groups = new Map<string, [number, number]>();
    let next = 0;
    for (const [key, bucket] of buckets) {
      // Rows with equal times keep table order, so the row written last wins a tie.
      bucket.sort((a, b) => times[a]! - times[b]! || a - b);
      groups.set(key, [next, next + bucket.length]);
      for (const row of bucket) {
        rows[next] = row;
        sortedTimes[next++] = times[row]!;
      }
    }
    return new PointInTimeIndex(rows, sortedTimes, groups);
  }

  /**
   * The row of `key` with the latest event time at or before `time`, or -1 when there is none
   * or it is older than `time - ttl`.
   */
  latestAtOrBefore(key: string, time: number, options: { ttl?: number | undefined } = {}): number {
    const group = this.#groups.get(key);
    if (!group) return -1;
    let [low, high] = group;
    const start = low;
    // Upper bound: the first position whose time is after `time`.
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.#times[middle]! <= time) low = middle + 1;
      else high = middle;
    }
    if (low === start) return -1;
    const found = low - 1;
    if (options.ttl !== undefined && time - this.#times[found]! > options.ttl) return -1;
    return this.#rows[found]!;
  }
}
