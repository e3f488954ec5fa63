// Points the sidebar's annotation form at the active cell of the current notebook, and keeps the
// form's view of the notebook (the other steps) fresh as the notebook changes.

import { DisposableDelegate, type IDisposable } from "@lumino/disposable";
import type { ISignal } from "@lumino/signaling";
import { cellsOf, type CellModelLike, type NotebookModelLike } from "../notebook-tracking";
import type { FormTarget } from "./annotation-form-model";
import type { WritableCell } from "./cell-annotation-edit";

// The parts of JupyterLab's notebook API used here, written out so tests can hand in fakes.

/** A cell model (`ICellModel`): readable as the panel reads cells, writable by the form. */
export type ActiveCellModelLike = CellModelLike & WritableCell & { readonly id: string };

/** A notebook widget (`NotebookPanel`). */
export type ActiveCellPanelLike = {
  readonly content: {
    readonly model: NotebookModelLike | null;
    readonly activeCellIndex: number;
    readonly activeCell: { readonly model: ActiveCellModelLike } | null;
  };
};

/** The notebook tracker (`INotebookTracker`). */
export type ActiveCellTrackerLike = {
  readonly currentWidget: ActiveCellPanelLike | null;
  readonly currentChanged: ISignal<unknown, unknown>;
  readonly activeCellChanged: ISignal<unknown, unknown>;
};

/** What follows the active cell (`AnnotationFormModel`). */
export type FormTargetFollower = { setTarget(target: FormTarget | null): void };

/**
 * Gives `form` the current notebook's active code cell as its target (null when the active cell
 * is not code, or no notebook is open), again on every change, until disposed.
 *
 * @example
 * ```ts
 * const following = followActiveCell(notebookTracker, sidebarFormModel);
 * ```
 */
export function followActiveCell(
  tracker: ActiveCellTrackerLike,
  form: FormTargetFollower,
): IDisposable {
  let watched: NotebookModelLike | null = null;
  const update = () => form.setTarget(activeTargetOf(tracker.currentWidget));
  const watch = () => {
    watched?.contentChanged.disconnect(update);
    watched = tracker.currentWidget?.content.model ?? null;
    watched?.contentChanged.connect(update);
    update();
  };
  tracker.currentChanged.connect(watch);
  tracker.activeCellChanged.connect(update);
  watch();
  return new DisposableDelegate(() => {
    tracker.currentChanged.disconnect(watch);
    tracker.activeCellChanged.disconnect(update);
    watched?.contentChanged.disconnect(update);
  });
}

/**
 * The form target for a notebook's active cell, or null when it is not a code cell.
 *
 * @example
 * ```ts
 * const target = activeTargetOf(notebookTracker.currentWidget);
 * if (target) AnnotationDialog.open(target);
 * ```
 */
export function activeTargetOf(panel: ActiveCellPanelLike | null): FormTarget | null {
  const notebook = panel?.content.model;
  const active = panel?.content.activeCell;
  if (!panel || !notebook || !active || active.model.type !== "code") return null;
  return {
    id: active.model.id,
    index: panel.content.activeCellIndex,
    cells: cellsOf(notebook),
    cell: active.model,
  };
}
