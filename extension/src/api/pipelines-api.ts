// The Kiln server's pipeline API as the extension calls it (routes in server/src/api/pipelines-routes.ts).

import type { PipelineSpec } from "@kiln/kernel-lib/spec";
import { requestKiln } from "../request";
import type { KilnSettings } from "../settings";

/** One thing wrong with a notebook, as the compiler reports it (kernel-lib CompileProblem). */
export type CompileProblem = {
  code: string;
  /** Absent for problems with the notebook as a whole. */
  cell?: { index: number; firstLine: string };
  message: string;
  fix: string;
};

/** What `POST /api/pipelines/analyze` answers. */
export type NotebookAnalysis = {
  /** Null when the notebook has problems. */
  spec: PipelineSpec | null;
  /** The registered version with the same spec hash, if any. */
  version: string | null;
  problems: CompileProblem[];
};

/**
 * Compiles a notebook's content, as the editor holds it, on the server without registering a
 * version: each step's inputs and outputs, the edges, or the problems found.
 *
 * @throws {KilnServerError} when the server cannot be reached or refuses (e.g. no admin key).
 * @example
 * ```ts
 * const { spec, problems } = await analyzeNotebook(settings, "train.ipynb", panel.model.toJSON());
 * ```
 */
export async function analyzeNotebook(
  settings: KilnSettings,
  path: string,
  notebook: unknown,
  signal?: AbortSignal,
): Promise<NotebookAnalysis> {
  return (await requestKiln(settings, "/api/pipelines/analyze", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ notebook, path }),
    ...(signal ? { signal } : {}),
  })) as NotebookAnalysis;
}
