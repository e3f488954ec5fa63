import { Signal } from "@lumino/signaling";
import { describe, expect, it } from "vitest";
import { PipelinePanelModel } from "./models/pipeline-panel-model";
import {
  cellsOf,
  followCurrentNotebook,
  type CellModelLike,
  type NotebookPanelLike,
  type NotebookTrackerLike,
} from "./notebook-tracking";

// Small stand-ins for JupyterLab's notebook models, with real Lumino signals.
class FakeCell implements CellModelLike {
  constructor(
    readonly type: string,
    public source: string,
    public kiln?: unknown,
  ) {}
  readonly sharedModel = { getSource: () => this.source };
  getMetadata(key: string): unknown {
    return key === "kiln" ? this.kiln : undefined;
  }
}

class FakeNotebook implements NotebookPanelLike {
  readonly contentChanged = new Signal<this, void>(this);
  readonly context: { path: string; pathChanged: Signal<FakeNotebook, string> };
  readonly content: NotebookPanelLike["content"];
  constructor(
    path: string,
    readonly cells: FakeCell[],
  ) {
    this.context = { path, pathChanged: new Signal<FakeNotebook, string>(this) };
    this.content = {
      model: { cells, contentChanged: this.contentChanged, toJSON: () => ({ cells: [] }) },
    };
  }
}

class FakeTracker implements NotebookTrackerLike {
  currentWidget: FakeNotebook | null = null;
  readonly currentChanged = new Signal<this, FakeNotebook | null>(this);
  focus(notebook: FakeNotebook | null): void {
    this.currentWidget = notebook;
    this.currentChanged.emit(notebook);
  }
}

const stepsOf = (model: PipelinePanelModel) =>
  model.notebook?.annotations.annotated.map(({ annotation }) =>
    annotation.kind === "step" ? annotation.step : annotation.kind,
  );

describe("followCurrentNotebook", () => {
  it("shows the notebook that is current when it starts", () => {
    const tracker = new FakeTracker();
    tracker.currentWidget = new FakeNotebook("a.ipynb", [new FakeCell("code", "// @kiln step=a")]);
    const model = new PipelinePanelModel();
    followCurrentNotebook(tracker, model);
    expect(model.notebook?.path).toBe("a.ipynb");
    expect(stepsOf(model)).toEqual(["a"]);
  });

  it("reads the cells again when the notebook's content changes", () => {
    const tracker = new FakeTracker();
    const notebook = new FakeNotebook("a.ipynb", [new FakeCell("code", "// @kiln step=a")]);
    const model = new PipelinePanelModel();
    followCurrentNotebook(tracker, model);
    tracker.focus(notebook);
    notebook.cells[0]!.source = "// @kiln step=renamed";
    notebook.cells.push(new FakeCell("code", "x", { kind: "step", step: "from-metadata" }));
    notebook.contentChanged.emit();
    expect(stepsOf(model)).toEqual(["renamed", "from-metadata"]);
  });

  it("follows the focus to another notebook and stops listening to the first", () => {
    const tracker = new FakeTracker();
    const first = new FakeNotebook("a.ipynb", [new FakeCell("code", "// @kiln step=a")]);
    const second = new FakeNotebook("b.ipynb", [new FakeCell("code", "// @kiln step=b")]);
    const model = new PipelinePanelModel();
    followCurrentNotebook(tracker, model);
    tracker.focus(first);
    tracker.focus(second);
    first.cells[0]!.source = "// @kiln step=changed";
    first.contentChanged.emit();
    expect(model.notebook?.path).toBe("b.ipynb");
    expect(stepsOf(model)).toEqual(["b"]);
  });

  it("shows the new path when the notebook is renamed", () => {
    const tracker = new FakeTracker();
    const notebook = new FakeNotebook("a.ipynb", []);
    const model = new PipelinePanelModel();
    followCurrentNotebook(tracker, model);
    tracker.focus(notebook);
    notebook.context.path = "renamed.ipynb";
    notebook.context.pathChanged.emit("renamed.ipynb");
    expect(model.notebook?.path).toBe("renamed.ipynb");
  });

  it("clears the panel when the last notebook closes, and lets go when disposed", () => {
    const tracker = new FakeTracker();
    const notebook = new FakeNotebook("a.ipynb", [new FakeCell("code", "// @kiln step=a")]);
    const model = new PipelinePanelModel();
    const following = followCurrentNotebook(tracker, model);
    tracker.focus(notebook);
    tracker.focus(null);
    expect(model.notebook).toBeNull();
    tracker.focus(notebook);
    following.dispose();
    tracker.focus(new FakeNotebook("b.ipynb", []));
    expect(model.notebook?.path).toBe("a.ipynb");
  });
});

describe("cellsOf", () => {
  it("numbers every cell, markdown too, and reads source and `kiln` metadata", () => {
    const cells = cellsOf({
      cells: [
        new FakeCell("markdown", "# Title"),
        new FakeCell("code", "fit();", { kind: "step", step: "train" }),
        new FakeCell("raw", "raw text"),
      ],
      contentChanged: new Signal<unknown, void>({}),
      toJSON: () => ({}),
    });
    expect(cells).toEqual([
      { index: 0, cellType: "markdown", source: "# Title", metadata: { kiln: undefined } },
      {
        index: 1,
        cellType: "code",
        source: "fit();",
        metadata: { kiln: { kind: "step", step: "train" } },
      },
      { index: 2, cellType: "raw", source: "raw text", metadata: { kiln: undefined } },
    ]);
  });
});
