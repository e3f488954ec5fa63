// The promote dialog, in JupyterLab's own Dialog.

import { Dialog, showDialog } from "@jupyterlab/apputils";
import type { RunModel } from "../api/endpoints-api";
import { PromoteForm } from "./PromoteForm";
import type { PromotionChoice } from "./promotion-model";

/**
 * Asks which version of a run's models to promote, onto which endpoint; null when cancelled.
 *
 * @example
 * ```ts
 * const choice = await askPromotion(models, models[0]);
 * if (choice) await promotion.promote(choice);
 * ```
 */
export async function askPromotion(
  models: readonly RunModel[],
  selected: RunModel,
): Promise<PromotionChoice | null> {
  const result = await showDialog({
    title: `Promote ${selected.model}`,
    body: new PromoteForm({ models, selected }),
    buttons: [Dialog.cancelButton(), Dialog.okButton({ label: "Promote" })],
    focusNodeSelector: ".jp-KilnPromoteForm-endpoint",
  });
  return result.button.accept ? result.value : null;
}
