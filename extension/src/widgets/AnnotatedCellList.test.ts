// @vitest-environment happy-dom
import { Widget } from "@lumino/widgets";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { NotebookCell } from "../models/notebook-annotations";
import { PipelinePanelModel } from "../models/pipeline-panel-model";
import { AnnotatedCellList } from "./AnnotatedCellList";

const code = (index: number, source: string): NotebookCell => ({ index, cellType: "code", source });

describe("AnnotatedCellList", () => {
  let model: PipelinePanelModel;
  let list: AnnotatedCellList;
  const items = () =>
    [...list.node.querySelectorAll(".jp-KilnCellList-item")].map((item) =>
      [...item.children].map((part) => part.textContent).join(" | "),
    );
  beforeEach(() => {
    model = new PipelinePanelModel();
    list = new AnnotatedCellList(model);
    Widget.attach(list, document.body);
  });
  afterEach(() => list.dispose());

  it("asks for a notebook while none is open", () => {
    expect(list.node.textContent).toBe("Open a notebook to see its pipeline steps.");
  });

  it("lists the annotated cells in notebook order, with their kind and details", () => {
    model.showNotebook("work/train.ipynb", [
      code(0, "import * as tf from '@tensorflow/tfjs-node';"),
      code(1, "// @kiln params\nconst epochs = 3;"),
      code(2, "// @kiln step=prepare\nconst xs = [1];"),
      code(3, "// @kiln step=train after=prepare cache=false\nfit(xs);"),
      code(4, "// @kiln skip\nplot();"),
    ]);
    expect(list.node.querySelector("h3")?.textContent).toBe("work/train.ipynb");
    expect(items()).toEqual([
      "params | pipeline parameters",
      "step | prepare",
      "step | train | after prepare · not cached",
      "skip | left out of the pipeline",
    ]);
    const train = list.node.querySelector<HTMLElement>('[data-cell-index="3"]');
    expect(train?.dataset.kind).toBe("step");
    expect(train?.title).toBe("cell 3: // @kiln step=train after=prepare cache=false");
  });

  it("shows each annotation problem with the cell it is in and how to fix it", () => {
    model.showNotebook("a.ipynb", [code(0, "// @kiln step=ok"), code(1, "// @kiln step=Bad")]);
    expect(items()).toEqual(["step | ok"]);
    const problem = list.node.querySelector<HTMLElement>(".jp-KilnCellList-problem");
    expect(problem?.dataset.cellIndex).toBe("1");
    expect(problem?.querySelector(".jp-KilnCellList-problemMessage")?.textContent).toMatch(
      /^cell 1 \(\/\/ @kiln step=Bad\): its \/\/ @kiln comment is invalid: invalid step name Bad/,
    );
    expect(problem?.querySelector(".jp-KilnCellList-problemFix")?.textContent).toMatch(
      /^Write the annotation as \/\/ @kiln step=<name>/,
    );
  });

  it("explains how to annotate a notebook without annotations", () => {
    model.showNotebook("plain.ipynb", [code(0, "const x = 1;")]);
    expect(list.node.querySelector(".jp-KilnCellList-hint")?.textContent).toBe(
      "No cell is annotated yet. Start a cell with // @kiln step=<name> to make it a pipeline step.",
    );
  });

  it("shows cell text as text, never as markup", () => {
    model.showNotebook("a.ipynb", [code(0, "// @kiln step=<img src=x onerror=alert(1)>")]);
    expect(list.node.querySelector("img")).toBeNull();
    expect(list.node.textContent).toContain("<img src=x onerror=alert(1)>");
  });

  it("follows the model: back to the hint when the notebook closes", () => {
    model.showNotebook("a.ipynb", [code(0, "// @kiln step=a")]);
    model.clearNotebook();
    expect(list.node.textContent).toBe("Open a notebook to see its pipeline steps.");
  });
});
