// @vitest-environment happy-dom
import type { PipelineEvent, PipelineRunRecord } from "@kiln/kernel-lib/spec";
import { MessageLoop } from "@lumino/messaging";
import { Widget } from "@lumino/widgets";
import { describe, expect, it, vi } from "vitest";
import type { KilnSettings } from "../settings";
import { KilnServerError } from "../tokens";
import { MlflowLinks } from "./mlflow-links";
import { PipelineRunModel, type RunsApi } from "./pipeline-run-model";
import { StepDetails } from "./StepDetails";

const settings: KilnSettings = { serverUrl: "http://127.0.0.1:8700", apiKey: "k" };
const runId = "r1";
const render = (widget: Widget) => MessageLoop.sendMessage(widget, Widget.Msg.UpdateRequest);
const record: PipelineRunRecord = {
  runId,
  pipeline: "sum",
  version: "v1",
  specHash: "h",
  status: "failed",
  params: {},
  startTime: 0,
  experimentId: "4",
  steps: {
    numbers: { status: "cached", durationMs: 2, mlflowRunId: "earlier" },
    total: {
      status: "failed",
      durationMs: 50,
      error: "Error: count too large\n    at step",
      mlflowRunId: "m2",
    },
  },
};

async function detailsOf(api: Partial<RunsApi>, show: (runs: PipelineRunModel) => Promise<void>) {
  const runs = new PipelineRunModel({ api });
  runs.configure(settings);
  const links = new MlflowLinks({ getInfo: async () => ({ mlflowUrl: "http://mlflow:5000" }) });
  await links.configure(settings);
  const onClose = vi.fn();
  const details = new StepDetails({ runs, links, onClose });
  await show(runs);
  return {
    details,
    onClose,
    text: (selector: string) => details.node.querySelector(selector)?.textContent,
  };
}

describe("StepDetails", () => {
  it("is hidden until a step is opened", async () => {
    const { details } = await detailsOf({}, async () => undefined);
    expect(details.node.hidden).toBe(true);
    details.showStep("total");
    expect(details.node.hidden).toBe(false);
    expect(details.node.textContent).toContain("Run the pipeline to see this step's log.");
  });

  it("shows a failed step's error, its MLflow run, and its log fetched from the server", async () => {
    const readStepLog = vi.fn(async () => "starting\nError: count too large\n");
    const { details, text } = await detailsOf(
      { getPipelineRun: async () => record, readStepLog },
      (runs) => runs.showRun(runId),
    );
    details.showStep("total");
    expect(text(".jp-KilnStepDetails-status")).toBe("failed · 50 ms");
    expect(text(".jp-KilnStepDetails-error")).toBe("Error: count too large\n    at step");
    expect(details.node.querySelector<HTMLAnchorElement>(".jp-KilnStepDetails-mlflow")?.href).toBe(
      "http://mlflow:5000/#/experiments/4/runs/m2",
    );
    expect(text(".jp-KilnStepDetails-hint")).toBe("Loading the log…");
    await vi.waitFor(() =>
      expect(text(".jp-KilnStepDetails-log")).toBe("starting\nError: count too large\n"),
    );
    expect(readStepLog).toHaveBeenCalledWith(settings, runId, "total");
  });

  it("links a cached step to the MLflow run that computed it, and says why it printed nothing", async () => {
    const { details, text } = await detailsOf(
      { getPipelineRun: async () => record, readStepLog: async () => "" },
      (runs) => runs.showRun(runId),
    );
    details.showStep("numbers");
    expect(text(".jp-KilnStepDetails-mlflow")).toBe("MLflow run that computed it ↗");
    await vi.waitFor(() =>
      expect(text(".jp-KilnStepDetails-hint")).toMatch(/^Nothing printed: the step did not run/),
    );
  });

  it("says why the log could not be read", async () => {
    const refused = new KilnServerError(
      "bad-response",
      'Run r1 has no step "total".',
      "Its steps are a.",
      {
        serverUrl: settings.serverUrl,
      },
    );
    const { details } = await detailsOf(
      { getPipelineRun: async () => record, readStepLog: () => Promise.reject(refused) },
      (runs) => runs.showRun(runId),
    );
    details.showStep("total");
    await vi.waitFor(() =>
      expect(details.node.querySelector(".jp-KilnStepDetails-logProblem")?.textContent).toBe(
        'Run r1 has no step "total".Its steps are a.',
      ),
    );
  });

  it("grows a live step's log as it prints", async () => {
    let push: (event: PipelineEvent) => void = () => undefined;
    const followPipelineRun = () =>
      (async function* () {
        yield {
          type: "run-started",
          runId,
          pipeline: "sum",
          version: "v1",
          steps: ["total"],
          time: 0,
        } as PipelineEvent;
        for (;;) yield await new Promise<PipelineEvent>((resolve) => (push = resolve));
      })();
    const { details, text } = await detailsOf(
      {
        startPipelineRun: async () => ({ runId, pipeline: "sum", version: "v1", events: "" }),
        followPipelineRun,
      },
      async (runs) => {
        void runs.start({ notebook: "sum.ipynb", params: {}, save: async () => undefined });
        await vi.waitFor(() => expect(runs.state.run?.steps["total"]).toBeDefined());
      },
    );
    details.showStep("total");
    expect(text(".jp-KilnStepDetails-hint")).toBe("Nothing printed so far.");
    push({
      type: "step-log",
      runId,
      step: "total",
      stream: "stdout",
      line: "total is 10",
      time: 1,
    });
    await vi.waitFor(() => {
      render(details);
      expect(text(".jp-KilnStepDetails-log")).toBe("total is 10");
    });
  });

  it("closes from its Close button", async () => {
    const { details, onClose } = await detailsOf(
      { getPipelineRun: async () => record, readStepLog: async () => "" },
      (runs) => runs.showRun(runId),
    );
    details.showStep("total");
    details.node.querySelector<HTMLButtonElement>(".jp-KilnStepDetails-close")!.click();
    expect(onClose).toHaveBeenCalled();
  });
});
