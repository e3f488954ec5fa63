import { describe, expect, it } from "vitest";
import { PointInTimeIndex } from "./point-in-time-index";

// Rows:            0    1    2    3    4    5
const keys = ["a", "b", "a", "a", "b", "a"];
const times = [30, 10, 10, 20, 10, 20];
const index = PointInTimeIndex.build(keys, times);

describe("PointInTimeIndex.latestAtOrBefore", () => {
  const cases: { key: string; time: number; ttl?: number; row: number; why: string }[] = [
    { key: "a", time: 9, row: -1, why: "nothing yet at that time" },
    { key: "a", time: 10, row: 2, why: "a row at exactly that time counts" },
    { key: "a", time: 15, row: 2, why: "the latest before" },
    { key: "a", time: 20, row: 5, why: "equal times: the row written last wins" },
    { key: "a", time: 99, row: 0, why: "rows are ordered by time, not by position" },
    { key: "b", time: 10, row: 4, why: "equal times in another key" },
    { key: "a", time: 29, ttl: 9, row: 5, why: "within the TTL (inclusive)" },
    { key: "a", time: 29, ttl: 8, row: -1, why: "older than the TTL" },
    { key: "c", time: 99, row: -1, why: "a key with no rows" },
  ];
  for (const { key, time, ttl, row, why } of cases) {
    it(`${key}@${time}${ttl === undefined ? "" : ` ttl ${ttl}`} → ${row}: ${why}`, () => {
      expect(index.latestAtOrBefore(key, time, { ttl })).toBe(row);
    });
  }

  it("agrees with a scan of every row on random data", () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 100;
    const randomKeys = Array.from({ length: 500 }, () => `k${Math.floor(random() / 10)}`);
    const randomTimes = Array.from({ length: 500 }, () => Math.floor(random()));
    const built = PointInTimeIndex.build(randomKeys, randomTimes);
    for (let probe = 0; probe < 300; probe++) {
      const key = `k${Math.floor(random() / 10)}`;
      const time = Math.floor(random());
      let expected = -1;
      randomKeys.forEach((k, row) => {
        if (k === key && randomTimes[row]! <= time) {
          if (expected < 0 || randomTimes[row]! >= randomTimes[expected]!) expected = row;
        }
      });
      expect(built.latestAtOrBefore(key, time)).toBe(expected);
    }
  });
});
