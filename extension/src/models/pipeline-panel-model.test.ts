import { describe, expect, it } from "vitest";
import type { NotebookCell } from "./notebook-annotations";
import { PipelinePanelModel } from "./pipeline-panel-model";

const cell = (index: number, source: string): NotebookCell => ({ index, cellType: "code", source });

function watched(model: PipelinePanelModel): { count: number } {
  const changes = { count: 0 };
  model.changed.connect(() => changes.count++);
  return changes;
}

describe("PipelinePanelModel", () => {
  it("shows no notebook until one is current", () => {
    expect(new PipelinePanelModel().notebook).toBeNull();
  });

  it("shows the current notebook's path and annotations", () => {
    const model = new PipelinePanelModel();
    const changes = watched(model);
    model.showNotebook("train.ipynb", [cell(0, "// @kiln step=train")]);
    expect(model.notebook?.path).toBe("train.ipynb");
    expect(model.notebook?.annotations.annotated.map((a) => a.cell.index)).toEqual([0]);
    expect(changes.count).toBe(1);
  });

  it("does not signal an edit that changes no annotation", () => {
    const model = new PipelinePanelModel();
    model.showNotebook("a.ipynb", [cell(0, "// @kiln step=train\nfit(1);")]);
    const changes = watched(model);
    model.showNotebook("a.ipynb", [cell(0, "// @kiln step=train\nfit(1);")]);
    expect(changes.count).toBe(0);
  });

  it("signals a renamed step, a new problem and another notebook", () => {
    const model = new PipelinePanelModel();
    model.showNotebook("a.ipynb", [cell(0, "// @kiln step=train")]);
    const changes = watched(model);
    model.showNotebook("a.ipynb", [cell(0, "// @kiln step=fit")]);
    model.showNotebook("a.ipynb", [cell(0, "// @kiln step=Fit")]);
    model.showNotebook("b.ipynb", [cell(0, "// @kiln step=Fit")]);
    expect(changes.count).toBe(3);
    expect(model.notebook?.path).toBe("b.ipynb");
    expect(model.notebook?.annotations.problems).toHaveLength(1);
  });

  it("clears the notebook once, when none is current any more", () => {
    const model = new PipelinePanelModel();
    model.showNotebook("a.ipynb", []);
    const changes = watched(model);
    model.clearNotebook();
    model.clearNotebook();
    expect(model.notebook).toBeNull();
    expect(changes.count).toBe(1);
  });
});
