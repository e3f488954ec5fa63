import { describe, expect, it, vi } from "vitest";
import {
  PredictionLog,
  type PredictionLogMetrics,
  type PredictionLogOptions,
  type QueuedRequest,
  type ScoringRecord,
} from "./prediction-log";

const model = {
  modelName: "drill-model",
  version: "3",
  inputs: [{ name: "vibration", datatype: "FP32" as const, required: true }],
  outputs: [{ name: "output", datatype: "FP32" as const, shape: [1] }],
};

let nextId = 0;
const request = (rows: number, endpoint = "drill", status = 200): ScoringRecord => ({
  requestId: `r-${nextId++}`,
  endpoint,
  protocol: "mlflow",
  time: Date.now(),
  status,
  latencyMs: 2,
  model,
  ...(status < 400
    ? {
        scored: {
          inputs: Array.from({ length: rows }, (_, i) => ({ vibration: i })),
          outputs: Array.from({ length: rows }, (_, i) => [i * 2]),
          usedFallback: Array.from({ length: rows }, () => false),
        },
      }
    : {}),
});

/** A sink that keeps every write; `hold()` makes writes wait until `release()`. */
function fakeSink() {
  const writes: { endpoint: string; requests: QueuedRequest[] }[] = [];
  let gate: Promise<void> | undefined;
  let open = () => {};
  let failWith: Error | undefined;
  return {
    writes,
    hold: () => (gate = new Promise<void>((resolve) => (open = resolve))),
    release: () => {
      gate = undefined;
      open();
    },
    fail: (error: Error | undefined) => (failWith = error),
    sink: {
      async write(endpoint: string, requests: readonly QueuedRequest[]) {
        if (gate) await gate;
        if (failWith) throw failWith;
        writes.push({ endpoint, requests: [...requests] });
      },
      close: vi.fn(async () => {}),
    },
  };
}

function fakeMetrics() {
  const dropped: Record<string, number> = {};
  const written: Record<string, number> = {};
  let failures = 0;
  const metrics: PredictionLogMetrics = {
    predictionLogDropped: (endpoint, kind, count) =>
      (dropped[`${endpoint}/${kind}`] = (dropped[`${endpoint}/${kind}`] ?? 0) + count),
    predictionLogWritten: (endpoint, table, count) =>
      (written[`${endpoint}/${table}`] = (written[`${endpoint}/${table}`] ?? 0) + count),
    predictionLogWriteFailed: () => void (failures += 1),
  };
  return { metrics, dropped, written, failures: () => failures };
}

const logWith = (options: Omit<PredictionLogOptions, "sink">, sink = fakeSink()) => ({
  sink,
  log: new PredictionLog({ flushIntervalMs: 60_000, ...options, sink: sink.sink }),
});

const rowsOf = (writes: { requests: QueuedRequest[] }[]) =>
  writes
    .flatMap((w) => w.requests)
    .filter((q) => q.rowLog === "logged")
    .reduce((n, q) => n + q.record.scored!.usedFallback.length, 0);

describe("PredictionLog", () => {
  it("writes nothing on the request path: record only queues", async () => {
    const { log, sink } = logWith({});
    log.record(request(3));
    expect(sink.writes).toEqual([]);
    expect(log.stats()).toMatchObject({ queuedRequests: 1, queuedRows: 3 });
    await log.close();
    expect(sink.writes).toHaveLength(1);
  });

  it("writes a batch once the interval is over", async () => {
    const { log, sink } = logWith({ flushIntervalMs: 20 });
    log.record(request(2));
    log.record(request(1));
    await vi.waitFor(() => expect(sink.writes).toHaveLength(1), { timeout: 2000 });
    expect(sink.writes[0]!.requests.map((q) => q.rowLog)).toEqual(["logged", "logged"]);
    expect(log.stats()).toMatchObject({ queuedRequests: 0, writtenRequests: 2, writtenRows: 3 });
    await log.close();
  });

  it("writes as soon as flushRows rows wait, without waiting for the interval", async () => {
    const { log, sink } = logWith({ flushRows: 4 });
    log.record(request(2));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(sink.writes).toHaveLength(0);
    log.record(request(2));
    expect(sink.writes).toHaveLength(0); // not inside record: after the current task
    await vi.waitFor(() => expect(sink.writes).toHaveLength(1), { timeout: 2000 });
    expect(rowsOf(sink.writes)).toBe(4);
    await log.close();
  });

  it("writes one batch per endpoint", async () => {
    const { log, sink } = logWith({});
    log.record(request(1, "drill"));
    log.record(request(1, "churn"));
    log.record(request(2, "drill"));
    await log.flush();
    expect(sink.writes.map((w) => [w.endpoint, w.requests.length])).toEqual([
      ["drill", 2],
      ["churn", 1],
    ]);
    await log.close();
  });

  it.each([
    [1, [0.99, 0.5, 0], ["logged", "logged", "logged"]],
    [0, [0.99, 0.5, 0], ["sampled-out", "sampled-out", "sampled-out"]],
    [0.5, [0.7, 0.2, 0.5], ["sampled-out", "logged", "sampled-out"]],
  ])("samples whole requests at rate %s", async (rate, draws, expected) => {
    const random = vi.fn<() => number>();
    for (const draw of draws) random.mockReturnValueOnce(draw);
    const { log, sink } = logWith({ sampleRate: () => rate, random });
    for (let i = 0; i < draws.length; i++) log.record(request(3));
    await log.flush();
    expect(sink.writes[0]!.requests.map((q) => q.rowLog)).toEqual(expected);
    await log.close();
  });

  it("takes each endpoint's rate", async () => {
    const { log, sink } = logWith({ sampleRate: (e) => (e === "drill" ? 0 : 1) });
    log.record(request(1, "drill"));
    log.record(request(1, "churn"));
    await log.flush();
    expect(sink.writes.map((w) => [w.endpoint, w.requests[0]!.rowLog])).toEqual([
      ["drill", "sampled-out"],
      ["churn", "logged"],
    ]);
    await log.close();
  });

  it("keeps error requests as summaries without rows", async () => {
    const { log, sink } = logWith({});
    log.record(request(0, "drill", 400));
    await log.flush();
    expect(sink.writes[0]!.requests[0]).toMatchObject({ rowLog: "none", record: { status: 400 } });
    await log.close();
  });

  it("drops and counts what does not fit the queue, and never waits for a slow sink", async () => {
    const { metrics, dropped } = fakeMetrics();
    const { log, sink } = logWith({ maxQueuedRows: 5, maxQueuedRequests: 4, metrics });
    sink.hold();
    log.record(request(3));
    void log.flush(); // the sink is stuck with that batch
    await new Promise((resolve) => setImmediate(resolve));
    const started = performance.now();
    log.record(request(3)); // 3 rows queued
    log.record(request(3)); // 6 > 5: its rows are dropped, its summary kept
    log.record(request(2)); // 5 rows
    log.record(request(1)); // 6 > 5: rows dropped
    log.record(request(1)); // a fifth request: dropped whole
    expect(performance.now() - started).toBeLessThan(50);
    expect(log.stats()).toMatchObject({ queuedRequests: 4, queuedRows: 5 });
    expect(dropped).toEqual({ "drill/rows": 5, "drill/requests": 1 });
    sink.release();
    await log.close();
    const rowLogs = sink.writes.flatMap((w) => w.requests.map((q) => q.rowLog));
    expect(rowLogs).toEqual(["logged", "logged", "dropped", "logged", "dropped"]);
    expect(log.stats().droppedRows).toBe(5);
  });

  it("drops and counts a batch the sink refuses, tells why, and goes on writing", async () => {
    const { metrics, dropped, failures } = fakeMetrics();
    const onWriteError = vi.fn();
    const { log, sink } = logWith({ metrics, onWriteError });
    sink.fail(new Error("disk full"));
    log.record(request(2));
    await log.flush();
    expect(onWriteError).toHaveBeenCalledWith(
      "drill",
      expect.objectContaining({ message: "disk full" }),
    );
    expect(dropped).toEqual({ "drill/rows": 2, "drill/requests": 1 });
    expect(failures()).toBe(1);
    sink.fail(undefined);
    log.record(request(1));
    await log.flush();
    expect(rowsOf(sink.writes)).toBe(1);
    await log.close();
  });

  it("counts rows the sink marked as dropped (summaries written, rows not)", async () => {
    const { metrics, dropped, written } = fakeMetrics();
    const log = new PredictionLog({
      metrics,
      sink: {
        async write(_endpoint, requests) {
          for (const q of requests) if (q.rowLog === "logged") q.rowLog = "dropped";
        },
      },
    });
    log.record(request(4));
    await log.flush();
    expect(dropped).toEqual({ "drill/rows": 4 });
    expect(written).toEqual({ "drill/requests": 1 });
    await log.close();
  });

  it("writes what is queued on close, closes the sink, and drops later records", async () => {
    const { metrics, dropped } = fakeMetrics();
    const { log, sink } = logWith({ metrics });
    log.record(request(2));
    await log.close();
    expect(rowsOf(sink.writes)).toBe(2);
    expect(sink.sink.close).toHaveBeenCalledOnce();
    log.record(request(1));
    expect(dropped).toEqual({ "drill/requests": 1, "drill/rows": 1 });
  });

  it("refuses limits that are not positive", () => {
    expect(() => new PredictionLog({ sink: fakeSink().sink, flushRows: 0 })).toThrow(
      /flushRows to be a positive number, got 0/,
    );
  });
});
