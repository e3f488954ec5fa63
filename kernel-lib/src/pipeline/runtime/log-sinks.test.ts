import { describe, expect, it, vi } from "vitest";
import { MlflowValidationError } from "../../mlflow/errors";
import { chooseLogSink, InteractiveRunSink, MemorySink, StepRunSink } from "./log-sinks";

describe("chooseLogSink", () => {
  it("logs to the step's nested run inside a step", () => {
    const sink = chooseLogSink({
      tracking: {
        trackingUri: "http://127.0.0.1:1",
        runId: "r",
        artifactUri: "a",
        spoolDir: "/tmp/x",
      },
      env: {},
      warn: () => expect.fail("no warning in a step"),
    });
    expect(sink).toBeInstanceOf(StepRunSink);
  });

  it("uses an interactive run in $KILN_EXPERIMENT when MLFLOW_TRACKING_URI is set", () => {
    const sink = chooseLogSink({
      tracking: undefined,
      env: { MLFLOW_TRACKING_URI: "http://127.0.0.1:1", KILN_EXPERIMENT: "mine" },
      warn: () => expect.fail("no warning when tracking is configured"),
    });
    expect(sink).toBeInstanceOf(InteractiveRunSink);
  });

  it("keeps values in memory after exactly one warning line when nothing is configured", async () => {
    const warn = vi.fn<(line: string) => void>();
    const sink = chooseLogSink({ tracking: undefined, env: {}, warn });
    expect(sink).toBeInstanceOf(MemorySink);
    sink.metrics({ loss: 0.5 }, 1);
    sink.metrics({ loss: 0.25 }, 2);
    sink.params({ lr: 0.1 });
    await sink.flush();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]?.[0]).toMatch(/MLFLOW_TRACKING_URI is not set/);
    expect(warn.mock.calls[0]?.[0]).not.toContain("\n");
    expect(sink.recorded.params).toEqual({ lr: "0.1" });
    expect(sink.recorded.metrics.map((m) => [m.key, m.value, m.step])).toEqual([
      ["loss", 0.5, 1],
      ["loss", 0.25, 2],
    ]);
  });
});

describe("log sinks", () => {
  it("reject bad input synchronously, in every mode", () => {
    const sink = new MemorySink();
    expect(() => sink.metrics({ loss: NaN }, 0)).toThrow(MlflowValidationError);
    expect(() => sink.metrics({ "../x": 1 }, 0)).toThrow(MlflowValidationError);
    sink.params({ lr: 0.1 });
    expect(() => sink.params({ lr: 0.2 })).toThrow(/already logged/);
    expect(sink.recorded.metrics).toEqual([]);
  });

  it("reject model names that are not one plain path segment", async () => {
    const model = { save: vi.fn() };
    await expect(new MemorySink().model(model, "../escape")).rejects.toThrow(/Invalid model name/);
    expect(model.save).not.toHaveBeenCalled();
  });

  it("never throw in a notebook when MLflow is unreachable: one warning, values kept", async () => {
    const warn = vi.fn<(line: string) => void>();
    // Port 9 (discard) is closed on a test machine: connection refused, quickly.
    const sink = new InteractiveRunSink({
      experiment: "nowhere",
      trackingUri: "http://127.0.0.1:9",
      warn,
    });
    sink.metrics({ loss: 1 }, 0);
    sink.params({ lr: 0.1 });
    await sink.flush();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]?.[0]).toMatch(/could not start an MLflow run/);
    expect(sink.recorded.metrics).toHaveLength(1);
  }, 60_000);
});
