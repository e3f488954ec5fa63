import { describe, expect, it } from "vitest";
import { readBatchingFields } from "./batching-limits";

describe("readBatchingFields", () => {
  it("keeps the endpoint's limits when both fields are empty", () => {
    expect(readBatchingFields("", " ")).toEqual({ ok: true, batching: undefined });
  });

  it.each([
    ["64", "5", { maxBatchSize: 64, maxWaitMs: 5 }],
    ["1", "0", { maxBatchSize: 1, maxWaitMs: 0 }],
    ["65536", "1000", { maxBatchSize: 65536, maxWaitMs: 1000 }],
    [" 256 ", "2.5", { maxBatchSize: 256, maxWaitMs: 2.5 }],
  ])("reads %j rows and %j ms", (size, wait, batching) => {
    expect(readBatchingFields(size, wait)).toEqual({ ok: true, batching });
  });

  it.each([
    ["64", "", /Give both batching limits/],
    ["", "2", /Give both batching limits/],
    ["0", "2", /Max batch size must be a whole number from 1 to 65536/],
    ["2.5", "2", /Max batch size must be a whole number/],
    ["65537", "2", /Max batch size/],
    ["many", "2", /not "many"/],
    ["64", "-1", /Max wait must be a number of milliseconds from 0 to 1000/],
    ["64", "1001", /Max wait/],
    ["64", "soon", /not "soon"/],
  ])("refuses %j rows and %j ms, as the server would", (size, wait, problem) => {
    const read = readBatchingFields(size, wait);
    expect(read.ok).toBe(false);
    expect(read.ok ? "" : read.problem).toMatch(problem);
  });
});
