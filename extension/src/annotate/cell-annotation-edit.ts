// Writing an annotation into a cell: the `kiln` metadata (the canonical form) and, when the cell
// starts with a `// @kiln` comment, that comment too, because the compiler fails when the two
// forms disagree.

import {
  parseAnnotationComment,
  toAnnotationMetadata,
  withAnnotationComment,
  type KilnCellAnnotation,
  type KilnCellMetadata,
} from "@kiln/kernel-lib/spec";

/** What a cell holds once an annotation is written: its source and its `kiln` metadata (absent: none). */
export type AnnotatedSource = { source: string; metadata: KilnCellMetadata | undefined };

/**
 * The cell model parts written here (JupyterLab's `ICellModel`); one transaction makes the
 * metadata and the comment change together, as one undo step.
 */
export type WritableCell = {
  readonly sharedModel: {
    getSource(): string;
    setSource(source: string): void;
    transact(change: () => void): void;
  };
  getMetadata(key: string): unknown;
  setMetadata(key: string, value: unknown): void;
  deleteMetadata(key: string): void;
};

/**
 * The source and metadata a cell gets for `annotation` (`undefined` un-annotates it). A first-line
 * `// @kiln` comment (valid or not) is rewritten to say the same, or removed; a cell without one
 * keeps its source, since metadata alone is enough.
 *
 * @example
 * ```ts
 * annotatedSource("// @kiln step=fit\nfit();", { kind: "step", step: "train", after: [], cache: true });
 * // { source: "// @kiln step=train\nfit();", metadata: { kind: "step", step: "train" } }
 * ```
 */
export function annotatedSource(
  source: string,
  annotation: KilnCellAnnotation | undefined,
): AnnotatedSource {
  const hasComment = parseAnnotationComment(source) !== undefined;
  return {
    source: hasComment ? withAnnotationComment(source, annotation) : source,
    metadata: annotation ? toAnnotationMetadata(annotation) : undefined,
  };
}

/**
 * Writes `annotation` into a cell model (see {@link annotatedSource}); parts already right are
 * left alone, so saving an unchanged form does not mark the notebook as modified.
 *
 * @example
 * ```ts
 * writeCellAnnotation(tracker.activeCell.model, { kind: "skip" });
 * ```
 */
export function writeCellAnnotation(
  cell: WritableCell,
  annotation: KilnCellAnnotation | undefined,
): void {
  const current = cell.sharedModel.getSource();
  const next = annotatedSource(current, annotation);
  const metadataChanged =
    JSON.stringify(cell.getMetadata("kiln") ?? null) !== JSON.stringify(next.metadata ?? null);
  if (next.source === current && !metadataChanged) return;
  cell.sharedModel.transact(() => {
    if (next.source !== current) cell.sharedModel.setSource(next.source);
    if (!metadataChanged) return;
    if (next.metadata) cell.setMetadata("kiln", next.metadata);
    else cell.deleteMetadata("kiln");
  });
}
