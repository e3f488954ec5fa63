// Wires annotating into JupyterLab: the cell toolbar's command (declared in schema/plugin.json
// under `jupyter.lab.toolbars` → `Cell`), the notes under each cell, and the sidebar section.

import type { JupyterFrontEnd } from "@jupyterlab/application";
import type { INotebookTracker } from "@jupyterlab/notebook";
import { kilnIcon } from "../icons";
import { CommandIDs } from "../tokens";
import { activeTargetOf, followActiveCell } from "./active-cell-tracking";
import { AnnotationDialog } from "./AnnotationDialog";
import { AnnotationFormModel } from "./annotation-form-model";
import { AnnotationSection } from "./AnnotationSection";
import { decorateCurrentNotebook } from "./cell-note-decorator";
import type { NotebookNotesModel } from "./notebook-notes-model";

/**
 * Registers the annotate command, decorates the current notebook's cells with `notes`, and
 * returns the annotation section for the Kiln panel. Lives as long as JupyterLab does.
 *
 * @example
 * ```ts
 * panel.addWidget(setUpAnnotating(app, notebookTracker, notesModel));
 * ```
 */
export function setUpAnnotating(
  app: JupyterFrontEnd,
  notebooks: INotebookTracker,
  notes: NotebookNotesModel,
): AnnotationSection {
  const hasCodeCell = () => notebooks.activeCell?.model.type === "code";
  app.commands.addCommand(CommandIDs.annotateCell, {
    label: "Annotate for Kiln…",
    caption: "Mark this cell as a Kiln pipeline step, params, transform or skip cell",
    icon: kilnIcon,
    isEnabled: hasCodeCell,
    isVisible: hasCodeCell,
    execute: () => {
      const target = activeTargetOf(notebooks.currentWidget);
      if (target) AnnotationDialog.open(target);
    },
  });
  // The toolbar button shows only on code cells: tell it when the active cell changes.
  notebooks.activeCellChanged.connect(() =>
    app.commands.notifyCommandChanged(CommandIDs.annotateCell),
  );
  decorateCurrentNotebook(notebooks, notes);
  const form = new AnnotationFormModel();
  followActiveCell(notebooks, form);
  return new AnnotationSection({ form, notes });
}
