// Puts a CellNoteView under the input of each code cell of the current notebook and keeps them
// showing the notes model. JupyterLab owns the cells; this only adds a widget to their layout.

import { DisposableDelegate, type IDisposable } from "@lumino/disposable";
import type { ISignal } from "@lumino/signaling";
import { PanelLayout, type Layout, type Widget } from "@lumino/widgets";
import { CellNoteView } from "./CellNoteView";
import type { NotebookNotesModel } from "./notebook-notes-model";

// The parts of JupyterLab's notebook widgets used here (`Cell`, `NotebookPanel`,
// `INotebookTracker`), written out so tests can hand in small fakes.

/** A cell widget (`Cell`). */
export type CellWidgetLike = {
  readonly model: { readonly type: string };
  readonly layout: Layout | null;
  /** Null until the cell has rendered (JupyterLab renders cells lazily). */
  readonly inputArea: Widget | null;
  readonly ready: Promise<void>;
  readonly isDisposed: boolean;
};

/** A notebook widget (`NotebookPanel`). */
export type DecoratedPanelLike = {
  readonly context: { readonly path: string };
  readonly content: { readonly widgets: readonly CellWidgetLike[] };
};

/** The notebook tracker (`INotebookTracker`). */
export type DecoratedTrackerLike = {
  readonly currentWidget: DecoratedPanelLike | null;
  readonly currentChanged: ISignal<unknown, unknown>;
};

/**
 * Decorates the current notebook's code cells with what `notes` says about them, until disposed.
 * A notebook that stops being current loses its notes: they would no longer be kept up to date.
 *
 * @example
 * ```ts
 * const decorating = decorateCurrentNotebook(notebookTracker, notesModel);
 * ```
 */
export function decorateCurrentNotebook(
  tracker: DecoratedTrackerLike,
  notes: NotebookNotesModel,
): IDisposable {
  const views = new WeakMap<CellWidgetLike, CellNoteView>();
  const rendering = new WeakSet<CellWidgetLike>();
  let decorated: DecoratedPanelLike | null = null;

  const viewOf = (cell: CellWidgetLike): CellNoteView | undefined => {
    const existing = views.get(cell);
    if (existing && !existing.isDisposed) return existing;
    const layout = cell.layout;
    const input = cell.inputArea;
    if (!(layout instanceof PanelLayout) || !input) {
      // Not rendered yet: decorate it once it is.
      if (!rendering.has(cell)) {
        rendering.add(cell);
        void cell.ready.then(render);
      }
      return undefined;
    }
    const view = new CellNoteView();
    const inputAt = layout.widgets.findIndex((widget) => widget.node.contains(input.node));
    layout.insertWidget(inputAt + 1, view);
    views.set(cell, view);
    return view;
  };

  function render(): void {
    const panel = decorated;
    if (!panel || panel !== tracker.currentWidget) return;
    const shown = notes.notes?.path === panel.context.path ? notes : null;
    panel.content.widgets.forEach((cell, index) => {
      if (cell.isDisposed || cell.model.type !== "code") return;
      const note = shown?.noteOf(index);
      // Cells Kiln has nothing to say about get their view only when there is something.
      if (!note && !views.has(cell)) return;
      viewOf(cell)?.showNote(index, note);
    });
  }

  const clear = (panel: DecoratedPanelLike | null) => {
    panel?.content.widgets.forEach((cell, index) => views.get(cell)?.showNote(index, undefined));
  };
  const follow = () => {
    clear(decorated);
    decorated = tracker.currentWidget;
    render();
  };
  tracker.currentChanged.connect(follow);
  notes.changed.connect(render);
  follow();
  return new DisposableDelegate(() => {
    tracker.currentChanged.disconnect(follow);
    notes.changed.disconnect(render);
    clear(decorated);
    decorated = null;
  });
}
