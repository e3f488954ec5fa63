// Connects JupyterLab's notebook tracker to the panel's model: whichever notebook is current,
// its cells are read again whenever its content changes.

import { DisposableDelegate, type IDisposable } from "@lumino/disposable";
import type { ISignal } from "@lumino/signaling";
import type { NotebookCell } from "./models/notebook-annotations";

// The parts of JupyterLab's notebook API read here, written out so tests can hand in small
// fakes; `NotebookPanel` and `INotebookTracker` satisfy them.

/** A cell model (`ICellModel`). */
export type CellModelLike = {
  readonly type: string;
  readonly sharedModel: { getSource(): string };
  getMetadata(key: string): unknown;
};

/** A notebook model (`INotebookModel`); `contentChanged` fires on any cell or metadata edit. */
export type NotebookModelLike = {
  readonly cells: Iterable<CellModelLike>;
  readonly contentChanged: ISignal<unknown, void>;
  /** The notebook as nbformat JSON, unsaved edits included. */
  toJSON(): unknown;
};

/** What follows the current notebook: the panel's annotations, the server's analysis, … */
export type NotebookFollower = {
  /** `content` gives the whole notebook as nbformat JSON, for whoever needs more than cells. */
  showNotebook(path: string, cells: readonly NotebookCell[], content: () => unknown): void;
  clearNotebook(): void;
};

/** A notebook widget (`NotebookPanel`). */
export type NotebookPanelLike = {
  readonly context: { readonly path: string; readonly pathChanged: ISignal<unknown, string> };
  readonly content: { readonly model: NotebookModelLike | null };
};

/** The notebook tracker (`INotebookTracker`). */
export type NotebookTrackerLike = {
  readonly currentWidget: NotebookPanelLike | null;
  readonly currentChanged: ISignal<unknown, NotebookPanelLike | null>;
};

/**
 * Shows the tracker's current notebook in `model`, and keeps it up to date until disposed.
 *
 * @example
 * ```ts
 * const following = followCurrentNotebook(notebookTracker, pipelineModel);
 * // later
 * following.dispose();
 * ```
 */
export function followCurrentNotebook(
  tracker: NotebookTrackerLike,
  model: NotebookFollower,
): IDisposable {
  let followed: NotebookPanelLike | null = null;
  const show = () => {
    const notebook = followed?.content.model;
    if (!followed || !notebook) {
      model.clearNotebook();
      return;
    }
    model.showNotebook(followed.context.path, cellsOf(notebook), () => notebook.toJSON());
  };
  const unfollow = () => {
    followed?.content.model?.contentChanged.disconnect(show);
    followed?.context.pathChanged.disconnect(show);
    followed = null;
  };
  const follow = () => {
    unfollow();
    followed = tracker.currentWidget;
    followed?.content.model?.contentChanged.connect(show);
    followed?.context.pathChanged.connect(show);
    show();
  };
  tracker.currentChanged.connect(follow);
  follow();
  return new DisposableDelegate(() => {
    tracker.currentChanged.disconnect(follow);
    unfollow();
  });
}

/**
 * The cells of a notebook model in the form annotations are read from.
 *
 * @example
 * ```ts
 * readNotebookAnnotations(cellsOf(panel.content.model));
 * ```
 */
export function cellsOf(notebook: NotebookModelLike): NotebookCell[] {
  return Array.from(notebook.cells, (cell, index) => ({
    index,
    cellType: cellTypeOf(cell.type),
    source: cell.sharedModel.getSource(),
    metadata: { kiln: cell.getMetadata("kiln") },
  }));
}

function cellTypeOf(type: string): NotebookCell["cellType"] {
  return type === "code" || type === "markdown" ? type : "raw";
}
