import { describe, expect, it, vi } from "vitest";
import { IngestProgressLine } from "./ingest-progress";

function stream(isTTY: boolean) {
  const writes: string[] = [];
  const out = {
    isTTY,
    write: (text: string) => writes.push(text),
  } as unknown as NodeJS.WriteStream;
  return { out, writes };
}

const at = (phase: "validating" | "writing", rows: number, bytes: number) => ({
  phase,
  rows,
  bytes,
  totalBytes: 2_000_000,
});

describe("IngestProgressLine", () => {
  it("redraws one line on a terminal and ends each phase with its totals", () => {
    vi.useFakeTimers({ now: 0 });
    const { out, writes } = stream(true);
    const progress = new IngestProgressLine(out);
    progress.update(at("validating", 0, 0));
    vi.setSystemTime(2_000);
    progress.update(at("validating", 10_000, 1_000_000));
    progress.update(at("writing", 10_000, 2_000_000));
    progress.done();
    vi.useRealTimers();
    expect(writes[1]).toBe("\r\x1b[2Kvalidating 10,000 rows  5,000 rows/s  1.0 MB / 2.0 MB");
    expect(writes.filter((w) => w.endsWith("\n"))).toHaveLength(2);
    expect(writes.at(-1)!.startsWith("\r\x1b[2Kwriting ")).toBe(true);
    expect(writes.at(-1)).toMatch(/10,000 rows .*2\.0 MB \/ 2\.0 MB\n$/);
  });

  it("writes plain lines every few seconds when not on a terminal", () => {
    vi.useFakeTimers({ now: 0 });
    const { out, writes } = stream(false);
    const progress = new IngestProgressLine(out, { plainEveryMs: 5_000 });
    for (let second = 0; second <= 12; second++) {
      vi.setSystemTime(second * 1000);
      progress.update(at("validating", second * 1000, second * 100_000));
    }
    progress.done();
    vi.useRealTimers();
    expect(writes.every((w) => !w.includes("\x1b"))).toBe(true);
    expect(writes.map((w) => w.split(" rows")[0]!.trim())).toEqual([
      "validating 5,000",
      "validating 10,000",
      "validating 12,000",
    ]);
  });
});
