import { describe, expect, it } from "vitest";
import { InputValidationError, type FeatureRow } from "./endpoint-model";
import { fakeServedModel } from "../../../test/support/fake-served-model";
import { MicroBatcher } from "./micro-batcher";

const row = (tenure: number, visits = 1): FeatureRow => ({ tenure, visits, annual: null });

describe("MicroBatcher", () => {
  it("lets concurrent requests share one predict call and splits the results back", async () => {
    const model = fakeServedModel();
    const batcher = new MicroBatcher();
    const answers = await Promise.all(
      [0, 1, 2, 3, 4].map((i) => batcher.submit(model, [row(i), row(i + 10)])),
    );
    expect(model.calls).toHaveLength(1);
    expect(model.calls[0]).toHaveLength(10);
    answers.forEach((answer, i) => {
      expect(answer.model.version).toBe("1");
      expect(answer.outputs).toEqual([[0.5 * i + 3], [0.5 * (i + 10) + 3]]);
      expect(answer.usedFallback).toEqual([false, false]);
    });
    expect(batcher.stats()).toMatchObject({
      requests: 5,
      rows: 10,
      predictCalls: 1,
      batchSizes: { 10: 1 },
    });
  });

  it("gives concurrent matrix requests one predictMatrix call and splits the matrix back", async () => {
    const model = fakeServedModel({ matrix: true });
    const batcher = new MicroBatcher();
    const answers = await Promise.all(
      [0, 1, 2].map((i) =>
        batcher.submitMatrix(model, { rows: 2, values: Float32Array.from([i, 1, i + 10, NaN]) }),
      ),
    );
    expect(model.matrixCalls).toEqual([6]);
    expect(model.calls).toEqual([]);
    answers.forEach((answer, i) => {
      expect(Array.from(answer.outputs)).toEqual([0.5 * i + 3, -1]);
      expect(answer.usedFallback).toEqual([false, true]);
    });
  });

  it("scores a batch mixing row and matrix requests with one predict call on rows", async () => {
    const model = fakeServedModel({ matrix: true });
    const batcher = new MicroBatcher();
    const [fromMatrix, fromRows] = await Promise.all([
      batcher.submitMatrix(model, { rows: 2, values: Float32Array.from([2, 1, NaN, 1]) }),
      batcher.submit(model, [{ tenure: 4, visits: 2 }]),
    ]);
    expect(model.matrixCalls).toEqual([]);
    expect(model.calls).toEqual([
      [
        { tenure: 2, visits: 1 },
        { tenure: null, visits: 1 },
        { tenure: 4, visits: 2 },
      ],
    ]);
    expect(fromMatrix).toMatchObject({ usedFallback: [false, true] });
    expect(Array.from(fromMatrix.outputs)).toEqual([4, -1]);
    expect(fromRows.outputs).toEqual([[7]]);
  });

  it("never gives predict more than maxBatchSize rows, splitting a large request", async () => {
    const model = fakeServedModel({ delayMs: 2 });
    const batcher = new MicroBatcher({ maxBatchSize: 4 });
    const big = Array.from({ length: 10 }, (_, i) => row(i));
    const [large, ...small] = await Promise.all([
      batcher.submit(model, big),
      ...[1, 2, 3, 4, 5].map((i) => batcher.submit(model, [row(i)])),
    ]);
    expect(Math.max(...model.calls.map((call) => call.length))).toBeLessThanOrEqual(4);
    expect(model.calls.flat()).toHaveLength(15);
    expect(large?.outputs).toEqual(big.map((r) => [0.5 * Number(r.tenure) + 3]));
    expect(small.map((answer) => answer.outputs[0])).toEqual(
      [1, 2, 3, 4, 5].map((i) => [0.5 * i + 3]),
    );
  });

  it("fails only the request whose rows predict refused", async () => {
    const model = fakeServedModel();
    const batcher = new MicroBatcher();
    const results = await Promise.allSettled([
      batcher.submit(model, [row(1)]),
      batcher.submit(model, [row(2), row(-5)]),
      batcher.submit(model, [row(3)]),
    ]);
    expect(results.map((result) => result.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    const failure = (results[1] as PromiseRejectedResult).reason as InputValidationError;
    expect(failure).toBeInstanceOf(InputValidationError);
    expect(failure.message).toBe('Input "tenure" (row 1): expected a number >= 0, got -5.');
    expect(batcher.stats().splitBatches).toBe(1);
  });

  it("rejects every request of a batch when predict fails for another reason", async () => {
    const model = {
      ...fakeServedModel(),
      predict: () => Promise.reject(new Error("out of memory")),
    };
    const batcher = new MicroBatcher();
    const results = await Promise.allSettled([
      batcher.submit(model, [row(1)]),
      batcher.submit(model, [row(2)]),
    ]);
    expect(results.map((result) => result.status)).toEqual(["rejected", "rejected"]);
  });

  it("adds no waiting at low load: a lone request is dispatched at once, not after maxWaitMs", async () => {
    const model = fakeServedModel();
    const batcher = new MicroBatcher({ maxWaitMs: 200 });
    const started = performance.now();
    for (let i = 0; i < 3; i += 1) await batcher.submit(model, [row(i)]);
    expect(performance.now() - started).toBeLessThan(100);
    expect(model.calls.map((call) => call.length)).toEqual([1, 1, 1]);
  });

  it("while the model is busy, queues requests and flushes them together", async () => {
    const model = fakeServedModel({ delayMs: 20 });
    const batcher = new MicroBatcher({ maxWaitMs: 50 });
    const first = batcher.submit(model, [row(0)]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const later = Promise.all([1, 2, 3].map((i) => batcher.submit(model, [row(i)])));
    await Promise.all([first, later]);
    expect(model.calls.map((call) => call.length)).toEqual([1, 3]);
  });

  it("never mixes models in a batch: each request runs on the model it was submitted with", async () => {
    const v1 = fakeServedModel({ version: "1" });
    const v2 = fakeServedModel({ version: "2" });
    const batcher = new MicroBatcher();
    const answers = await Promise.all([
      batcher.submit(v1, [row(0)]),
      batcher.submit(v2, [row(0)]),
      batcher.submit(v1, [row(0)]),
    ]);
    expect(answers.map((answer) => [answer.model.version, answer.outputs[0]?.[0]])).toEqual([
      ["1", 3],
      ["2", 4],
      ["1", 3],
    ]);
  });

  it("refuses nonsensical options", () => {
    expect(() => new MicroBatcher({ maxBatchSize: 0 })).toThrow(TypeError);
    expect(() => new MicroBatcher({ maxWaitMs: -1 })).toThrow(TypeError);
  });
});
