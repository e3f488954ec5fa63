// How the Models and Endpoints sections show a failure: what happened, then what to do.

import { element, textWithCode } from "../widgets/elements";

/**
 * A paragraph "problem: fix", in which `backticks` of either mark code.
 *
 * @example
 * ```ts
 * section.append(problemNote(error.message, error.fix));
 * ```
 */
export function problemNote(problem: string, fix: string): HTMLParagraphElement {
  const note = element(
    "p",
    "jp-KilnProblem",
    ...textWithCode(`${problem.replace(/[.:]\s*$/, "")}: `),
    ...textWithCode(lowerFirst(fix)),
  );
  note.setAttribute("role", "alert");
  return note;
}

// "Start it …" reads on after a colon as "start it …"; "MLflow …" stays as it is.
function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}
