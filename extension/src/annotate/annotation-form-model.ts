// The annotation form's state for one cell: what the cell says now, the draft being edited, and
// the steps `after` may name. Used by the cell toolbar's dialog and the sidebar alike.

import {
  annotationsEqual,
  parseAnnotationComment,
  parseAnnotationMetadata,
  resolveCellAnnotation,
  type KilnCellAnnotation,
} from "@kiln/kernel-lib/spec";
import { Signal, type ISignal } from "@lumino/signaling";
import { readNotebookAnnotations, type NotebookCell } from "../models/notebook-annotations";
import {
  checkDraft,
  draftOf,
  type AnnotationDraft,
  type DraftCheck,
  type DraftKind,
  type OtherStep,
} from "./annotation-draft";
import { writeCellAnnotation, type WritableCell } from "./cell-annotation-edit";

/** The cell the form edits, with the notebook around it. */
export type FormTarget = {
  /** The cell model's id: the same cell across edits and moves. */
  id: string;
  /** Position in the notebook, counting every cell from 0. */
  index: number;
  /** The notebook's cells as they are now (the target among them). */
  cells: readonly NotebookCell[];
  /** Where saving writes. */
  cell: WritableCell;
};

/** A step name `after` may hold; `exists` is false for a name no step has (kept so it can be unticked). */
export type AfterChoice = { name: string; exists: boolean };

/**
 * Holds the draft annotation of one cell and writes it on {@link save}.
 *
 * @example
 * ```ts
 * const form = new AnnotationFormModel();
 * form.setTarget({ id: cell.model.id, index, cells: cellsOf(notebook), cell: cell.model });
 * form.setKind("step");
 * form.setStep("train");
 * form.save(); // true: the cell's `kiln` metadata now says step `train`
 * ```
 */
export class AnnotationFormModel {
  #target: FormTarget | null = null;
  #stored: KilnCellAnnotation | undefined;
  #otherSteps: OtherStep[] = [];
  #draft: AnnotationDraft = draftOf(undefined);
  readonly #changed = new Signal<this, void>(this);

  /** Emitted when the target, the choices or the draft change. */
  get changed(): ISignal<this, void> {
    return this.#changed;
  }

  /** The cell being edited, or `null` when there is none (no code cell is active). */
  get target(): FormTarget | null {
    return this.#target;
  }

  get draft(): AnnotationDraft {
    return this.#draft;
  }

  /** Whether the draft can be saved, and what to fix if not. */
  get check(): DraftCheck {
    return checkDraft(this.#draft, this.#otherSteps);
  }

  /** The notebook's other steps, then any name the draft's `after` holds that no step has. */
  get afterChoices(): AfterChoice[] {
    const choices: AfterChoice[] = this.#otherSteps.map(({ name }) => ({ name, exists: true }));
    for (const name of this.#draft.after) {
      if (!choices.some((choice) => choice.name === name)) choices.push({ name, exists: false });
    }
    return choices;
  }

  /**
   * Points the form at a cell. The draft starts from what the cell says, and is kept while the
   * same cell is edited elsewhere without its annotation changing (so typing code below it does
   * not wipe what the user is entering).
   */
  setTarget(target: FormTarget | null): void {
    const stored = target ? storedAnnotationOf(target) : undefined;
    const sameCell = target !== null && this.#target !== null && target.id === this.#target.id;
    const keepDraft = sameCell && sameAnnotation(stored, this.#stored);
    this.#target = target;
    this.#stored = stored;
    this.#otherSteps = target ? otherStepsOf(target) : [];
    if (!keepDraft) this.#draft = draftOf(stored);
    this.#changed.emit();
  }

  setKind(kind: DraftKind): void {
    this.#edit({ kind });
  }

  setStep(step: string): void {
    this.#edit({ step });
  }

  /** Ticks or unticks `name` in `after`. */
  setAfter(name: string, ticked: boolean): void {
    const rest = this.#draft.after.filter((other) => other !== name);
    this.#edit({ after: ticked ? [...rest, name] : rest });
  }

  /** Back to what the cell says. */
  revert(): void {
    this.#draft = draftOf(this.#stored);
    this.#changed.emit();
  }

  /**
   * Writes the draft into the cell: its `kiln` metadata, and its `// @kiln` comment if it has one.
   *
   * @returns false, writing nothing, when there is no target or the draft has errors
   *   ({@link check} says which).
   */
  save(): boolean {
    const check = this.check;
    if (!this.#target || !check.ok) return false;
    writeCellAnnotation(this.#target.cell, check.annotation);
    this.#stored = check.annotation;
    this.#draft = draftOf(check.annotation);
    this.#changed.emit();
    return true;
  }

  dispose(): void {
    Signal.clearData(this);
  }

  #edit(change: Partial<AnnotationDraft>): void {
    this.#draft = { ...this.#draft, ...change };
    this.#changed.emit();
  }
}

/**
 * What a cell is annotated as, for the form to start from. When the two forms disagree or one is
 * invalid, the first valid one of the comment (what the user sees) and the metadata.
 */
export function storedAnnotationOf(
  target: Pick<FormTarget, "index" | "cells">,
): KilnCellAnnotation | undefined {
  const cell = target.cells.find((c) => c.index === target.index);
  if (!cell) return undefined;
  const resolved = resolveCellAnnotation(cell);
  if (resolved.ok) return resolved.annotation;
  const fromComment = parseAnnotationComment(cell.source);
  if (fromComment && !(fromComment instanceof Error)) return fromComment;
  const fromMetadata = parseAnnotationMetadata(cell.metadata?.["kiln"]);
  return fromMetadata instanceof Error ? undefined : fromMetadata;
}

function otherStepsOf(target: FormTarget): OtherStep[] {
  const steps: OtherStep[] = [];
  for (const { cell, annotation } of readNotebookAnnotations(target.cells).annotated) {
    if (annotation.kind !== "step" || cell.index === target.index) continue;
    if (steps.some((step) => step.name === annotation.step)) continue;
    steps.push({ name: annotation.step, cellIndex: cell.index });
  }
  return steps;
}

function sameAnnotation(
  a: KilnCellAnnotation | undefined,
  b: KilnCellAnnotation | undefined,
): boolean {
  return a === undefined || b === undefined ? a === b : annotationsEqual(a, b);
}
