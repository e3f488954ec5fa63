// The notes of the current notebook, kept up to date as its cells change and as the server's
// analysis arrives.

import type { IDisposable } from "@lumino/disposable";
import { Signal, type ISignal } from "@lumino/signaling";
import type { NotebookCell } from "../models/notebook-annotations";
import type { AnalysisState } from "../models/notebook-analysis-model";
import { notebookNotesOf, type CellNote, type NotebookNotes } from "./notebook-notes";

/** Where the server's analysis comes from (`NotebookAnalysisModel`). */
export type AnalysisSource = {
  readonly state: AnalysisState;
  readonly changed: ISignal<unknown, void>;
};

/**
 * Follows the current notebook (through `followCurrentNotebook`) and the server's analysis of it,
 * and holds the {@link NotebookNotes} the cells and the panel show.
 *
 * @example
 * ```ts
 * const notes = new NotebookNotesModel(analysisModel);
 * followCurrentNotebook(notebookTracker, notes);
 * notes.changed.connect(() => render(notes.notes));
 * ```
 */
export class NotebookNotesModel implements IDisposable {
  #notebook: { path: string; cells: readonly NotebookCell[] } | null = null;
  #notes: NotebookNotes | null = null;
  #disposed = false;
  readonly #analysis: AnalysisSource;
  readonly #changed = new Signal<this, void>(this);

  constructor(analysis: AnalysisSource) {
    this.#analysis = analysis;
    analysis.changed.connect(this.#update, this);
  }

  /** Emitted when the notes change, not on every keystroke. */
  get changed(): ISignal<this, void> {
    return this.#changed;
  }

  /** The current notebook's notes, or `null` while no notebook is open. */
  get notes(): NotebookNotes | null {
    return this.#notes;
  }

  get isDisposed(): boolean {
    return this.#disposed;
  }

  /** What Kiln says about the cell at `cellIndex` of the current notebook, if anything. */
  noteOf(cellIndex: number): CellNote | undefined {
    return this.#notes?.cells.find((note) => note.cellIndex === cellIndex);
  }

  showNotebook(path: string, cells: readonly NotebookCell[]): void {
    this.#notebook = { path, cells };
    this.#update();
  }

  clearNotebook(): void {
    this.#notebook = null;
    this.#update();
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#analysis.changed.disconnect(this.#update, this);
    Signal.clearData(this);
  }

  #update(): void {
    const notebook = this.#notebook;
    const next = notebook
      ? notebookNotesOf(notebook.path, notebook.cells, this.#analysis.state)
      : null;
    if (JSON.stringify(next) === JSON.stringify(this.#notes)) return;
    this.#notes = next;
    this.#changed.emit();
  }
}
