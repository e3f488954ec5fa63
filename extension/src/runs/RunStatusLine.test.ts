// @vitest-environment happy-dom
import { MessageLoop } from "@lumino/messaging";
import { Widget } from "@lumino/widgets";
import { describe, expect, it, vi } from "vitest";
import type { KilnSettings } from "../settings";
import { KilnServerError } from "../tokens";
import { MlflowLinks } from "./mlflow-links";
import { PipelineRunModel } from "./pipeline-run-model";
import { RunStatusLine } from "./RunStatusLine";

const settings: KilnSettings = { serverUrl: "http://127.0.0.1:8700", apiKey: "k" };
const runId = "r1";
// What Lumino does on the next animation frame after a model change.
const render = (widget: Widget) => MessageLoop.sendMessage(widget, Widget.Msg.UpdateRequest);

async function lineAfter(start: (runs: PipelineRunModel) => Promise<void>, runs: PipelineRunModel) {
  const links = new MlflowLinks({ getInfo: async () => ({ mlflowUrl: "http://mlflow:5000" }) });
  await links.configure(settings);
  const onSelectCell = vi.fn();
  const line = new RunStatusLine({ runs, links, onSelectCell });
  await start(runs);
  render(line);
  return { line, onSelectCell };
}

describe("RunStatusLine", () => {
  it("shows a spinner with what is going on while a run starts", () => {
    const runs = new PipelineRunModel({
      api: { startPipelineRun: () => new Promise(() => undefined) },
    });
    runs.configure(settings);
    const line = new RunStatusLine({ runs, links: new MlflowLinks(), onSelectCell: vi.fn() });
    void runs.start({ notebook: "a.ipynb", params: {}, save: async () => undefined });
    render(line);
    expect(line.node.querySelector(".jp-KilnRunSpinner")).not.toBeNull();
    expect(line.node.textContent).toBe("Saving the notebook…");
  });

  it("says how the run went, with a link to its MLflow run", async () => {
    const runs = new PipelineRunModel({
      api: {
        getPipelineRun: async () => ({
          runId,
          pipeline: "sum",
          version: "v2",
          specHash: "h",
          status: "failed",
          params: {},
          startTime: 0,
          endTime: 2500,
          mlflowRunId: "parent",
          experimentId: "4",
          steps: {},
        }),
      },
    });
    runs.configure(settings);
    const { line } = await lineAfter((r) => r.showRun(runId), runs);
    expect(line.node.querySelector(".jp-KilnRunSpinner")).toBeNull();
    expect(line.node.querySelector(".jp-KilnRunStatus-summary")?.textContent).toBe(
      "Run r1 of sum v2: failed in 2.5 s · MLflow run ↗",
    );
    expect(line.node.querySelector("a")?.href).toBe(
      "http://mlflow:5000/#/experiments/4/runs/parent",
    );
  });

  it("shows a compile problem's cell, which selects it when clicked", async () => {
    const problems = [
      {
        code: "undefined-name",
        cell: { index: 2, firstLine: "const y = x;" },
        message: "reads `x`",
        fix: "Declare `x`.",
      },
    ];
    const runs = new PipelineRunModel({
      api: {
        startPipelineRun: () =>
          Promise.reject(
            new KilnServerError(
              "bad-response",
              "The notebook does not compile",
              "Fix the cells below.",
              {
                serverUrl: settings.serverUrl,
                problems,
              },
            ),
          ),
      },
    });
    runs.configure(settings);
    const { line, onSelectCell } = await lineAfter(
      (r) => r.start({ notebook: "a.ipynb", params: {}, save: async () => undefined }),
      runs,
    );
    const problem = line.node.querySelector<HTMLElement>(".jp-KilnRunStatus-problem")!;
    expect(problem.getAttribute("role")).toBe("alert");
    expect(problem.querySelector(".jp-KilnRunStatus-problemMessage")?.textContent).toBe(
      "The notebook does not compile",
    );
    const item = problem.querySelector<HTMLElement>(".jp-KilnRunStatus-compileProblem")!;
    expect(item.textContent).toBe("cell 2 (const y = x;): reads xDeclare x.");
    item.click();
    expect(onSelectCell).toHaveBeenCalledWith(2);
  });
});
