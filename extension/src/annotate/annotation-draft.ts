// What the annotation form holds while the user edits it, and whether it is an annotation the
// compiler will accept. Pure, so the rules are tested without a browser.

import { checkStepName, type KilnCellAnnotation, type KilnCellKind } from "@kiln/kernel-lib/spec";

/** A kind the form offers: the annotation kinds, or `none` to un-annotate the cell. */
export type DraftKind = KilnCellKind | "none";

/** The form's fields. `step` and `after` are kept while another kind is picked, so nothing typed is lost. */
export type AnnotationDraft = {
  kind: DraftKind;
  step: string;
  after: string[];
  /** Not shown by the form; carried over so saving never drops a `cache=false`. */
  cache: boolean;
};

/** Another step of the notebook: what `after` may name, and what this step may not be called. */
export type OtherStep = { name: string; cellIndex: number };

/** One field's problem, for the form to show next to it. */
export type DraftError = { field: "step" | "after"; message: string };

/** The annotation the draft stands for (absent: not annotated), or what keeps it from being one. */
export type DraftCheck =
  { ok: true; annotation: KilnCellAnnotation | undefined } | { ok: false; errors: DraftError[] };

/**
 * The draft that shows an annotation as it is.
 *
 * @example
 * ```ts
 * draftOf({ kind: "step", step: "train", after: ["load"], cache: true });
 * // { kind: "step", step: "train", after: ["load"], cache: true }
 * draftOf(undefined); // { kind: "none", step: "", after: [], cache: true }
 * ```
 */
export function draftOf(annotation: KilnCellAnnotation | undefined): AnnotationDraft {
  if (annotation === undefined) return { kind: "none", step: "", after: [], cache: true };
  if (annotation.kind !== "step")
    return { kind: annotation.kind, step: "", after: [], cache: true };
  return {
    kind: "step",
    step: annotation.step,
    after: [...annotation.after],
    cache: annotation.cache,
  };
}

/**
 * Checks a draft with the spec module's rules and against the notebook's other steps: a valid
 * name, not taken by another cell, and an `after` that names existing steps other than itself.
 *
 * @example
 * ```ts
 * checkDraft({ kind: "step", step: "load", after: [], cache: true }, [{ name: "load", cellIndex: 1 }]);
 * // { ok: false, errors: [{ field: "step", message: "Step name `load` is already used by cell 1; …" }] }
 * ```
 */
export function checkDraft(draft: AnnotationDraft, otherSteps: readonly OtherStep[]): DraftCheck {
  if (draft.kind === "none") return { ok: true, annotation: undefined };
  if (draft.kind !== "step") return { ok: true, annotation: { kind: draft.kind } };
  const step = draft.step.trim();
  const errors: DraftError[] = [];
  const nameError = checkStepName(step);
  const taken = otherSteps.find((other) => other.name === step);
  if (nameError) {
    errors.push({ field: "step", message: upperFirst(nameError.message) + "." });
  } else if (taken) {
    errors.push({
      field: "step",
      message: `Step name \`${step}\` is already used by cell ${taken.cellIndex}; step names must be unique.`,
    });
  }
  const after = [...new Set(draft.after)].sort();
  if (after.includes(step)) {
    errors.push({ field: "after", message: "A step cannot run after itself." });
  }
  const unknown = after.filter(
    (name) => name !== step && !otherSteps.some((other) => other.name === name),
  );
  if (unknown.length > 0) {
    errors.push({
      field: "after",
      message: `There is no step ${unknown.map((name) => `\`${name}\``).join(", ")} in this notebook; untick it.`,
    });
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, annotation: { kind: "step", step, after, cache: draft.cache } };
}

function upperFirst(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
