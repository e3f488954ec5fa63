// Reading an .ipynb: only nbformat 4 notebooks written for the TypeScript kernel (tslab) compile;
// anything else is rejected here, before any cell is looked at.

import { NotebookCompileError, type CompileProblem } from "./errors";

/** A cell as the compiler sees it: source joined into one string, outputs dropped. */
export interface NotebookCell {
  /** Position in the notebook's `cells` array, from 0 (markdown cells count). */
  index: number;
  cellType: "code" | "markdown" | "raw";
  source: string;
  metadata: Record<string, unknown>;
}

/** A validated nbformat 4 notebook. */
export interface ParsedNotebook {
  cells: NotebookCell[];
  metadata: Record<string, unknown>;
}

/**
 * Parses and validates a notebook given as JSON text or as the already-parsed object.
 *
 * @throws NotebookCompileError (`invalid-notebook`, `unsupported-format`, `unsupported-kernel`)
 * @example
 * ```ts
 * const notebook = parseNotebook(await fs.readFile("churn.ipynb", "utf8"));
 * notebook.cells.filter((c) => c.cellType === "code").length;
 * ```
 */
export function parseNotebook(input: string | unknown, label?: string): ParsedNotebook {
  const fail = (problem: CompileProblem, cause?: unknown): never => {
    throw new NotebookCompileError([problem], { notebook: label, cause });
  };
  let json: unknown = input;
  if (typeof input === "string") {
    try {
      json = JSON.parse(input);
    } catch (err) {
      fail(
        {
          code: "invalid-notebook",
          message: `the file is not valid JSON (${(err as Error).message}), so it is not a Jupyter notebook.`,
          fix: "Open and save the notebook in JupyterLab to rewrite it, or restore it from version control.",
        },
        err,
      );
    }
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    fail({
      code: "invalid-notebook",
      message: "expected a notebook object with `nbformat`, `metadata` and `cells`.",
      fix: "Pass the contents of an .ipynb file.",
    });
  }
  const record = json as Record<string, unknown>;
  if (record["nbformat"] !== 4) {
    fail({
      code: "unsupported-format",
      message: `the notebook is nbformat ${JSON.stringify(record["nbformat"] ?? "(missing)")}; Kiln compiles nbformat 4 notebooks only.`,
      fix: "Open the notebook in JupyterLab 4 and save it, which upgrades it to nbformat 4.",
    });
  }
  const metadata = isRecord(record["metadata"]) ? record["metadata"] : {};
  checkKernel(metadata, fail);
  const cells = record["cells"];
  if (!Array.isArray(cells)) {
    fail({
      code: "invalid-notebook",
      message: "the notebook has no `cells` array.",
      fix: "Open and save the notebook in JupyterLab to repair it, or restore it from version control.",
    });
  }
  return { metadata, cells: (cells as unknown[]).map((cell, index) => toCell(cell, index, fail)) };
}

// A notebook without kernel metadata (written by hand or a plain editor) is taken to be
// TypeScript; one that names another language would fail at run time in confusing ways.
function checkKernel(
  metadata: Record<string, unknown>,
  fail: (problem: CompileProblem) => never,
): void {
  const kernelspec = isRecord(metadata["kernelspec"]) ? metadata["kernelspec"] : undefined;
  const languageInfo = isRecord(metadata["language_info"]) ? metadata["language_info"] : undefined;
  const name = stringOr(kernelspec?.["name"]);
  const language = stringOr(kernelspec?.["language"]) ?? stringOr(languageInfo?.["name"]);
  const typescript = name === "tslab" || language?.toLowerCase() === "typescript";
  if (name === undefined && language === undefined) return;
  if (!typescript) {
    fail({
      code: "unsupported-kernel",
      message: `the notebook runs on kernel ${JSON.stringify(name ?? "(unnamed)")} (language ${JSON.stringify(language ?? "(unknown)")}); Kiln pipelines are TypeScript notebooks on the tslab kernel.`,
      fix: "Switch the notebook's kernel to TypeScript (tslab) in JupyterLab (Kernel > Change Kernel) and port the cells to TypeScript.",
    });
  }
}

function toCell(
  raw: unknown,
  index: number,
  fail: (problem: CompileProblem) => never,
): NotebookCell {
  const cellType = isRecord(raw) ? raw["cell_type"] : undefined;
  const source = isRecord(raw) ? raw["source"] : undefined;
  const sourceText =
    typeof source === "string"
      ? source
      : Array.isArray(source) && source.every((s) => typeof s === "string")
        ? source.join("")
        : undefined;
  if (
    !isRecord(raw) ||
    (cellType !== "code" && cellType !== "markdown" && cellType !== "raw") ||
    sourceText === undefined
  ) {
    return fail({
      code: "invalid-notebook",
      cell: { index, firstLine: "" },
      message: `cell ${index} is not a valid nbformat 4 cell (expected \`cell_type\` code, markdown or raw and a string \`source\`).`,
      fix: "Delete or recreate the cell in JupyterLab and save the notebook.",
    });
  }
  return {
    index,
    cellType,
    source: sourceText.replace(/\r\n/g, "\n"),
    metadata: isRecord(raw["metadata"]) ? raw["metadata"] : {},
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringOr(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}
