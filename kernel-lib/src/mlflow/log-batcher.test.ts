import { describe, expect, it } from "vitest";
import { LogBatcher, splitIntoOperations } from "./log-batcher";
import type { BufferedEntry } from "./log-batcher";
import type { LogBatchOperation, TrackingOperation } from "./operations";

const metric = (i: number): BufferedEntry => ({
  kind: "metric",
  record: { key: "m", value: i, step: i, timestamp: 1 },
});
const param = (i: number): BufferedEntry => ({
  kind: "param",
  record: { key: `p${i}`, value: "v" },
});
const tag = (key: string, value: string): BufferedEntry => ({
  kind: "tag",
  record: { key, value },
});

function batches(ops: TrackingOperation[]): LogBatchOperation[] {
  return ops.filter((op): op is LogBatchOperation => op.op === "log-batch");
}

describe("splitIntoOperations", () => {
  it("cuts metrics at 1000 per request and params at 100, keeping order", () => {
    const entries = [
      ...Array.from({ length: 2500 }, (_, i) => metric(i)),
      ...Array.from({ length: 250 }, (_, i) => param(i)),
    ];
    const ops = batches(splitIntoOperations("r", entries));
    for (const op of ops) {
      expect(op.metrics.length).toBeLessThanOrEqual(1000);
      expect(op.params.length).toBeLessThanOrEqual(100);
      expect(op.metrics.length + op.params.length + op.tags.length).toBeLessThanOrEqual(1000);
    }
    expect(ops.flatMap((op) => op.metrics.map((m) => m.value))).toEqual(
      Array.from({ length: 2500 }, (_, i) => i),
    );
    expect(ops.flatMap((op) => op.params.map((p) => p.key))).toEqual(
      Array.from({ length: 250 }, (_, i) => `p${i}`),
    );
  });

  it("keeps the JSON body under the byte limit", () => {
    const big = Array.from({ length: 300 }, (_, i) => tag(`t${i}`, "x".repeat(7000)));
    const ops = batches(splitIntoOperations("r", big));
    for (const op of ops) expect(Buffer.byteLength(JSON.stringify(op))).toBeLessThan(1_000_000);
    expect(ops.reduce((n, op) => n + op.tags.length, 0)).toBe(300);
  });

  it("sends a repeated param once and keeps the last value of a repeated tag", () => {
    const [op] = batches(
      splitIntoOperations("r", [param(1), param(1), tag("t", "a"), tag("t", "b")]),
    );
    expect(op?.params).toEqual([{ key: "p1", value: "v" }]);
    expect(op?.tags).toEqual([{ key: "t", value: "b" }]);
  });

  it("treats operations as barriers", () => {
    const update: TrackingOperation = { op: "update-run", runId: "r", status: "FINISHED" };
    const ops = splitIntoOperations("r", [
      metric(1),
      { kind: "operation", operation: update },
      metric(2),
    ]);
    expect(ops.map((op) => op.op)).toEqual(["log-batch", "update-run", "log-batch"]);
  });
});

describe("LogBatcher", () => {
  it("flushes in the background after the interval, with an unref'd timer", async () => {
    const sent: TrackingOperation[] = [];
    const batcher = new LogBatcher({
      deliver: async (op) => void sent.push(op),
      flushIntervalMs: 20,
    });
    batcher.add("r", [metric(1)]);
    expect(sent).toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(sent).toHaveLength(1);
    await batcher.close();
  });

  it("sends a full buffer at once, and one run's requests one after the other", async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const order: number[] = [];
    const batcher = new LogBatcher({
      deliver: async (op) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (op.op === "log-batch") order.push(...op.metrics.map((m) => m.value));
        inFlight--;
      },
      flushIntervalMs: 60_000,
    });
    batcher.add(
      "r",
      Array.from({ length: 1000 }, (_, i) => metric(i)),
    );
    batcher.add(
      "r",
      Array.from({ length: 1500 }, (_, i) => metric(1000 + i)),
    );
    await batcher.flush();
    expect(maxInFlight).toBe(1);
    expect(order).toEqual(Array.from({ length: 2500 }, (_, i) => i));
    await batcher.close();
  });

  it("keeps a background failure and throws it from the next flush", async () => {
    const batcher = new LogBatcher({
      deliver: async () => {
        throw new Error("refused");
      },
      flushIntervalMs: 5,
    });
    batcher.add("r", [metric(1)]);
    await new Promise((resolve) => setTimeout(resolve, 30));
    await expect(batcher.flush()).rejects.toThrow("refused");
    await expect(batcher.flush()).resolves.toBeUndefined();
    await batcher.close();
  });
});
