// @vitest-environment happy-dom
import type {
  PipelineEvent,
  PipelineRunRecord,
  PipelineSpec,
  StepSpec,
} from "@kiln/kernel-lib/spec";
import { MessageLoop } from "@lumino/messaging";
import { Signal } from "@lumino/signaling";
import { Widget } from "@lumino/widgets";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { NotebookAnalysis } from "../api/pipelines-api";
import { NotebookAnalysisModel } from "../models/notebook-analysis-model";
import { MlflowLinks } from "../runs/mlflow-links";
import { PipelineRunModel, type RunsApi } from "../runs/pipeline-run-model";
import { RunHistoryModel } from "../runs/run-history-model";
import type { KilnSettings } from "../settings";
import { KilnServerError } from "../tokens";
import type { GraphNotebookPanel } from "./graph-notebook";
import { PipelineGraphs, type GraphShell } from "./pipeline-graphs";
import { PipelineGraphView } from "./PipelineGraphView";

const settings: KilnSettings = { serverUrl: "http://127.0.0.1:8700", apiKey: "k" };
const render = (widget: Widget) => MessageLoop.sendMessage(widget, Widget.Msg.UpdateRequest);

const step = (name: string, cells: number[], extra: Partial<StepSpec> = {}): StepSpec =>
  ({
    name,
    cells: cells.map((index) => ({ index, firstLine: "" })),
    params: [],
    transforms: [],
    cache: true,
    ...extra,
  }) as StepSpec;
const spec = {
  name: "sum",
  params: [{ name: "count", type: "number", default: 3 }],
  steps: [step("numbers", [1], { params: ["count"] }), step("total", [2, 3])],
  edges: [{ from: "numbers", to: "total", kind: "data", names: ["numbers"] }],
} as unknown as PipelineSpec;
const analyzed = (version: string | null = null): NotebookAnalysis => ({
  spec,
  version,
  problems: [],
});

/** A notebook panel; `selected` holds the indices of the cells JupyterLab would highlight. */
function fakePanel(id = "notebook-1") {
  const owner = {};
  const selected = new Set<number>();
  const calls: string[] = [];
  const panel = {
    id,
    isDisposed: false,
    disposed: new Signal<object, void>(owner),
    context: {
      path: "sum.ipynb",
      pathChanged: new Signal<object, string>(owner),
      save: vi.fn(async () => void calls.push("save")),
    },
    content: {
      model: { cells: [], contentChanged: new Signal<object, void>(owner), toJSON: () => ({}) },
      widgets: [0, 1, 2, 3],
      mode: "edit",
      activeCellIndex: 0,
      deselectAll: () => selected.clear(),
      select: (cell: number) => void selected.add(cell),
      scrollToCell: async () => undefined,
    },
  };
  return {
    panel: panel as unknown as GraphNotebookPanel,
    selected,
    calls,
    disposed: panel.disposed,
  };
}

/** A run's event stream that the test feeds, event by event, until `run-finished`. */
function liveStream() {
  const queue: PipelineEvent[] = [];
  let wake: () => void = () => undefined;
  return {
    push: (event: PipelineEvent) => {
      queue.push(event);
      wake();
    },
    followPipelineRun: async function* () {
      for (;;) {
        const event = queue.shift();
        if (!event) {
          await new Promise<void>((resume) => (wake = resume));
          continue;
        }
        yield event;
        if (event.type === "run-finished") return;
      }
    },
  };
}

type Fakes = {
  analysis?: NotebookAnalysis | KilnServerError;
  runs?: Partial<RunsApi>;
  history?: PipelineRunRecord[];
};

const views: PipelineGraphView[] = [];
afterEach(() => views.splice(0).forEach((view) => view.dispose()));

async function viewOf(fakes: Fakes = {}) {
  const notebook = fakePanel();
  const listPipelineRuns = vi.fn(async () => fakes.history ?? []);
  const view = new PipelineGraphView(notebook.panel, {
    analysis: new NotebookAnalysisModel({
      analyze: async () => {
        const answer = fakes.analysis ?? analyzed();
        if (answer instanceof Error) throw answer;
        return answer;
      },
    }),
    runs: new PipelineRunModel({ api: fakes.runs ?? {} }),
    history: new RunHistoryModel({
      api: { listPipelineVersions: async () => [], listPipelineRuns },
    }),
    links: new MlflowLinks({ getInfo: async () => ({ mlflowUrl: "http://mlflow:5000" }) }),
  });
  views.push(view);
  Widget.attach(view, document.body);
  view.configure(settings);
  await vi.waitFor(() => {
    render(view);
    expect(view.node.querySelector(".jp-KilnGraphView-hint .jp-KilnRunSpinner")).toBeNull();
  });
  const text = (selector: string) => view.node.querySelector(selector)?.textContent;
  const node = (name: string) =>
    view.node.querySelector<SVGGElement>(`.jp-KilnGraph-node[data-node="${name}"]`)!;
  return { view, notebook, text, node, listPipelineRuns };
}

describe("PipelineGraphView", () => {
  it("draws the notebook's pipeline, titled with its name and saying its version", async () => {
    const { view, text } = await viewOf();
    expect(view.title.label).toBe("sum pipeline");
    expect(text(".jp-KilnGraphView-version")).toBe("sum.ipynb · version: not compiled yet");
    expect(
      [...view.node.querySelectorAll(".jp-KilnGraph-nodeName")].map((n) => n.textContent),
    ).toEqual(["params", "numbers", "total"]);
    expect(text(".jp-KilnGraphView-caption")).toBe("Not run yet: press Run.");
    expect(
      view.node.querySelector<HTMLInputElement>('.jp-KilnParamForm input[name="count"]')?.value,
    ).toBe("3");
  });

  it("shows the notebook's problems instead of a graph, each selecting its cell", async () => {
    const { view, notebook } = await viewOf({
      analysis: {
        spec: null,
        version: null,
        problems: [
          {
            code: "unknown-after",
            cell: { index: 2, firstLine: "// @kiln step=b after=x" },
            message: "after `x`: no such step",
            fix: "Name an earlier step.",
          },
        ],
      },
    });
    expect(view.node.querySelector<HTMLElement>(".jp-KilnGraph-canvas")?.hidden).toBe(true);
    const problem = view.node.querySelector<HTMLElement>(".jp-KilnGraphView-problem")!;
    expect(view.node.querySelector(".jp-KilnGraphView-problemTitle")?.textContent).toMatch(
      /does not compile/,
    );
    expect(problem.textContent).toBe(
      "cell 2 (// @kiln step=b after=x): after x: no such stepName an earlier step.",
    );
    problem.click();
    expect([...notebook.selected]).toEqual([2]);
  });

  it("says why the server could not read the notebook", async () => {
    const { view, text } = await viewOf({
      analysis: new KilnServerError(
        "bad-response",
        "This endpoint needs an API key.",
        "Set an API key in Settings → Kiln.",
        {
          serverUrl: settings.serverUrl,
        },
      ),
    });
    expect(view.node.querySelector<HTMLElement>(".jp-KilnGraph-canvas")?.hidden).toBe(true);
    expect(text(".jp-KilnGraphView-problemBox")).toBe(
      "The Kiln server could not read the notebookThis endpoint needs an API key.Set an API key in Settings → Kiln.",
    );
  });

  it("selects a step's cells and opens the step when its node is clicked", async () => {
    const { view, notebook, node, text } = await viewOf();
    node("total").dispatchEvent(new MouseEvent("click"));
    expect([...notebook.selected]).toEqual([2, 3]);
    render(view);
    expect(node("total").classList.contains("jp-mod-selected")).toBe(true);
    expect(text(".jp-KilnStepDetails-name")).toBe("total");
  });

  it("runs with the params typed, after saving, and shows the steps' states as they come", async () => {
    const runId = "r1";
    const { push, followPipelineRun } = liveStream();
    const startPipelineRun = vi.fn(async () => ({
      runId,
      pipeline: "sum",
      version: "v1",
      events: "",
    }));
    const { view, notebook, node, text, listPipelineRuns } = await viewOf({
      runs: { startPipelineRun, followPipelineRun },
    });
    const count = view.node.querySelector<HTMLInputElement>('input[name="count"]')!;
    count.value = "four";
    await view.run();
    expect(startPipelineRun).not.toHaveBeenCalled();
    count.value = "4";
    void view.run();
    await vi.waitFor(() =>
      expect(startPipelineRun).toHaveBeenCalledWith(settings, {
        notebook: "sum.ipynb",
        params: { count: 4 },
      }),
    );
    expect(notebook.calls).toEqual(["save"]);
    push({
      type: "run-started",
      runId,
      pipeline: "sum",
      version: "v1",
      steps: ["numbers", "total"],
      time: 0,
    });
    await vi.waitFor(() => {
      render(view);
      expect(node("numbers").dataset.status).toBe("pending");
    });
    expect(view.node.querySelector<HTMLButtonElement>(".jp-KilnGraphView-run")?.disabled).toBe(
      true,
    );
    push({ type: "step-status", runId, step: "numbers", status: "running", time: 1 });
    await vi.waitFor(() => {
      render(view);
      expect(node("numbers").dataset.status).toBe("running");
    });
    push({
      type: "step-status",
      runId,
      step: "numbers",
      status: "succeeded",
      durationMs: 5,
      time: 2,
    });
    push({
      type: "step-status",
      runId,
      step: "total",
      status: "failed",
      error: "boom",
      durationMs: 5,
      time: 3,
    });
    push({ type: "run-finished", runId, status: "failed", durationMs: 20, time: 4 });
    await vi.waitFor(() => {
      render(view);
      expect(node("total").dataset.status).toBe("failed");
      expect(view.node.querySelector<HTMLButtonElement>(".jp-KilnGraphView-run")?.disabled).toBe(
        false,
      );
    });
    expect(text(".jp-KilnRunStatus-summary")).toBe("Run r1 of sum v1: failed in 20 ms");
    // The new run is listed when it starts and again when it ends.
    await vi.waitFor(() => expect(listPipelineRuns.mock.calls.length).toBeGreaterThanOrEqual(3));
  });

  it("shows the last run of the version the notebook is now, before any run here", async () => {
    const last: PipelineRunRecord = {
      runId: "r0",
      pipeline: "sum",
      version: "v1",
      specHash: "h",
      status: "succeeded",
      params: {},
      startTime: 0,
      steps: { numbers: { status: "cached" }, total: { status: "succeeded" } },
    };
    const { view, node, text } = await viewOf({ analysis: analyzed("v1"), history: [last] });
    await vi.waitFor(() => {
      render(view);
      expect(node("numbers").dataset.status).toBe("cached");
    });
    expect(text(".jp-KilnGraphView-version")).toBe("sum.ipynb · version: v1");
    expect(text(".jp-KilnGraphView-caption")).toBe(
      "Last run of v1 (the notebook now): r0, succeeded.",
    );
  });
});

describe("PipelineGraphs", () => {
  function shellOf() {
    const added: Widget[] = [];
    const shell: GraphShell = {
      add: (widget) => void added.push(widget),
      activateById: vi.fn(),
    };
    return { shell, added };
  }

  it("opens one graph per notebook, beside it, and closes it with the notebook", () => {
    const { shell, added } = shellOf();
    const graphs = new PipelineGraphs(shell);
    const notebook = fakePanel();
    const view = graphs.open(notebook.panel);
    views.push(view);
    expect(added).toEqual([view]);
    expect(view.id).toBe("kiln-pipeline-graph-notebook-1");
    expect(graphs.open(notebook.panel)).toBe(view);
    expect(added).toHaveLength(1);
    expect(shell.activateById).toHaveBeenLastCalledWith(view.id);
    notebook.disposed.emit();
    expect(view.isDisposed).toBe(true);
    const reopened = graphs.open(notebook.panel);
    views.push(reopened);
    expect(reopened).not.toBe(view);
  });
});
