// The notebook a pipeline graph belongs to: its content followed for the graph's analysis (this
// notebook, whichever is current), saved before a run, and its cells selected from a node.

import { DisposableDelegate, type IDisposable } from "@lumino/disposable";
import type { ISignal } from "@lumino/signaling";
import { cellsOf, type NotebookFollower, type NotebookPanelLike } from "../notebook-tracking";

/** The parts of JupyterLab's `Notebook` widget a graph uses to select a step's cells. */
export type NotebookContentLike<Cell = unknown> = {
  readonly widgets: readonly Cell[];
  mode: "command" | "edit";
  activeCellIndex: number;
  deselectAll(): void;
  select(cell: Cell): void;
  scrollToCell(cell: Cell, align?: "auto" | "center" | "start" | "end"): Promise<void>;
};

/** The parts of JupyterLab's `NotebookPanel` a graph uses; `NotebookPanel` satisfies them. */
export type GraphNotebookPanel = {
  readonly id: string;
  readonly context: NotebookPanelLike["context"] & { save(): Promise<void> };
  readonly content: NotebookPanelLike["content"] & NotebookContentLike;
  readonly disposed: ISignal<unknown, void>;
  readonly isDisposed: boolean;
};

/**
 * Shows `panel`'s notebook in `follower` (its path and content, again on every edit and rename)
 * until disposed or until the notebook is closed.
 *
 * @example
 * ```ts
 * const following = followNotebook(notebookPanel, analysisModel);
 * ```
 */
export function followNotebook(panel: GraphNotebookPanel, follower: NotebookFollower): IDisposable {
  const show = () => {
    const notebook = panel.content.model;
    if (panel.isDisposed || !notebook) {
      follower.clearNotebook();
      return;
    }
    follower.showNotebook(panel.context.path, cellsOf(notebook), () => notebook.toJSON());
  };
  const closed = () => {
    stop();
    follower.clearNotebook();
  };
  const model = panel.content.model;
  model?.contentChanged.connect(show);
  panel.context.pathChanged.connect(show);
  panel.disposed.connect(closed);
  const stop = () => {
    model?.contentChanged.disconnect(show);
    panel.context.pathChanged.disconnect(show);
    panel.disposed.disconnect(closed);
  };
  show();
  return new DisposableDelegate(stop);
}

/**
 * Selects the cells at `indices` (a step's cells), makes the first one active and scrolls to
 * it. Indices past the end (the notebook changed since) are left out.
 *
 * @example
 * ```ts
 * selectCells(notebookPanel.content, [3, 4]);
 * ```
 */
export function selectCells<Cell>(
  notebook: NotebookContentLike<Cell>,
  indices: readonly number[],
): void {
  const cells = indices.flatMap((index) => {
    const cell = notebook.widgets[index];
    return cell === undefined ? [] : [{ index, cell }];
  });
  const first = cells[0];
  if (!first) return;
  const select = () => {
    // Several selected cells only exist in command mode; edit mode keeps one.
    notebook.mode = "command";
    notebook.activeCellIndex = first.index;
    notebook.deselectAll();
    for (const { cell } of cells) notebook.select(cell);
  };
  select();
  // Scrolling activates the cell, which puts the notebook in edit mode and drops all but one
  // selected cell: select again once the scroll is done.
  void notebook.scrollToCell(first.cell, "start").then(select, select);
}
