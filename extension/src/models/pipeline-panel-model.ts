// The state of the Kiln panel's notebook section: which notebook is current and what its cells
// are annotated as. Pure TypeScript with a signal, so it is tested without a browser.

import { Signal, type ISignal } from "@lumino/signaling";
import {
  readNotebookAnnotations,
  sameAnnotations,
  type NotebookAnnotations,
  type NotebookCell,
} from "./notebook-annotations";

/** The current notebook as the panel shows it. */
export type ShownNotebook = { path: string; annotations: NotebookAnnotations };

/**
 * Holds the current notebook's annotations and says when they change.
 *
 * @example
 * ```ts
 * const model = new PipelinePanelModel();
 * model.changed.connect(() => render(model.notebook));
 * model.showNotebook("train.ipynb", cells);
 * ```
 */
export class PipelinePanelModel {
  #notebook: ShownNotebook | null = null;
  readonly #changed = new Signal<this, void>(this);

  /** Emitted when the notebook or what its cells say changes, not on every edit. */
  get changed(): ISignal<this, void> {
    return this.#changed;
  }

  /** The current notebook, or `null` when no notebook is open. */
  get notebook(): ShownNotebook | null {
    return this.#notebook;
  }

  /** Reads `cells` as the content of the notebook at `path` (now the current one). */
  showNotebook(path: string, cells: readonly NotebookCell[]): void {
    const annotations = readNotebookAnnotations(cells);
    const shown = this.#notebook;
    if (shown && shown.path === path && sameAnnotations(shown.annotations, annotations)) return;
    this.#notebook = { path, annotations };
    this.#changed.emit();
  }

  /** No notebook is current any more. */
  clearNotebook(): void {
    if (this.#notebook === null) return;
    this.#notebook = null;
    this.#changed.emit();
  }
}
