// The Kiln panel's list of the current notebook's annotated cells and annotation problems.

import type { AnnotationProblem, KilnCellAnnotation } from "@kiln/kernel-lib/spec";
import { Widget } from "@lumino/widgets";
import type { AnnotatedCell } from "../models/notebook-annotations";
import type { PipelinePanelModel } from "../models/pipeline-panel-model";
import { element, textWithCode } from "./elements";

/**
 * Shows what the cells of the current notebook are annotated as (steps, params, transforms,
 * skipped cells), in notebook order, and below them every annotation that is wrong and how to
 * fix it.
 *
 * @example
 * ```ts
 * panel.addWidget(new AnnotatedCellList(pipelinePanelModel));
 * ```
 */
export class AnnotatedCellList extends Widget {
  readonly #model: PipelinePanelModel;

  constructor(model: PipelinePanelModel) {
    super();
    this.#model = model;
    this.addClass("jp-KilnCellList");
    model.changed.connect(this.#render, this);
    this.#render();
  }

  #render(): void {
    const notebook = this.#model.notebook;
    if (!notebook) {
      this.node.replaceChildren(hint("Open a notebook to see its pipeline steps."));
      return;
    }
    const { annotated, problems } = notebook.annotations;
    const parts: Node[] = [element("h3", "jp-KilnCellList-notebook", notebook.path)];
    if (annotated.length === 0 && problems.length === 0) {
      parts.push(
        hint(
          "No cell is annotated yet. Start a cell with `// @kiln step=<name>` to make it a pipeline step.",
        ),
      );
    }
    if (annotated.length > 0) {
      parts.push(element("ul", "jp-KilnCellList-cells", ...annotated.map(annotatedCellItem)));
    }
    if (problems.length > 0) {
      parts.push(element("ul", "jp-KilnCellList-problems", ...problems.map(problemItem)));
    }
    this.node.replaceChildren(...parts);
  }
}

function annotatedCellItem({ cell, annotation }: AnnotatedCell): HTMLLIElement {
  const item = element(
    "li",
    "jp-KilnCellList-item",
    element("span", "jp-KilnCellList-kind", annotation.kind),
    element("span", "jp-KilnCellList-name", nameOf(annotation)),
  );
  const details = detailsOf(annotation);
  if (details) item.append(element("span", "jp-KilnCellList-details", details));
  item.dataset.cellIndex = String(cell.index);
  item.dataset.kind = annotation.kind;
  item.title = `cell ${cell.index}: ${cell.firstLine}`;
  return item;
}

function nameOf(annotation: KilnCellAnnotation): string {
  switch (annotation.kind) {
    case "step":
      return annotation.step;
    case "params":
      return "pipeline parameters";
    case "transform":
      return "feature transforms";
    case "skip":
      return "left out of the pipeline";
  }
}

function detailsOf(annotation: KilnCellAnnotation): string {
  if (annotation.kind !== "step") return "";
  const details: string[] = [];
  if (annotation.after.length > 0) details.push(`after ${annotation.after.join(", ")}`);
  if (!annotation.cache) details.push("not cached");
  return details.join(" · ");
}

function problemItem(problem: AnnotationProblem): HTMLLIElement {
  const where = problem.cell.firstLine
    ? `cell ${problem.cell.index} (\`${problem.cell.firstLine}\`)`
    : `cell ${problem.cell.index}`;
  const item = element(
    "li",
    "jp-KilnCellList-problem",
    element("p", "jp-KilnCellList-problemMessage", ...textWithCode(`${where}: ${problem.message}`)),
    element("p", "jp-KilnCellList-problemFix", ...textWithCode(problem.fix)),
  );
  item.dataset.cellIndex = String(problem.cell.index);
  return item;
}

function hint(text: string): HTMLParagraphElement {
  return element("p", "jp-KilnCellList-hint", ...textWithCode(text));
}
