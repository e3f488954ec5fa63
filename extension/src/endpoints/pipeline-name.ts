// Which pipeline the current notebook is: the name its runs and models are recorded under.

import type { AnalysisState } from "../models/notebook-analysis-model";

/**
 * The current notebook's pipeline name: the compiled spec's name once the server analyzed it,
 * else the notebook's file name without `.ipynb` (the compiler's default); null without a
 * notebook.
 *
 * @example
 * ```ts
 * pipelineNameOf({ status: "analyzing", path: "work/churn.ipynb", previous: null }); // "churn"
 * ```
 */
export function pipelineNameOf(state: AnalysisState): string | null {
  if (state.status === "no-notebook") return null;
  const spec =
    state.status === "analyzed"
      ? state.analysis.spec
      : state.status === "analyzing"
        ? state.previous?.spec
        : null;
  return spec?.name ?? notebookName(state.path);
}

function notebookName(path: string): string {
  return (path.split("/").pop() ?? path).replace(/\.ipynb$/i, "");
}
