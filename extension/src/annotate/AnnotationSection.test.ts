// @vitest-environment happy-dom
import { Signal } from "@lumino/signaling";
import { Widget } from "@lumino/widgets";
import { afterEach, describe, expect, it } from "vitest";
import type { NotebookAnalysis } from "../api/pipelines-api";
import type { NotebookCell } from "../models/notebook-annotations";
import type { AnalysisState } from "../models/notebook-analysis-model";
import { KilnServerError } from "../tokens";
import { AnnotationFormModel } from "./annotation-form-model";
import { AnnotationSection } from "./AnnotationSection";
import { NotebookNotesModel } from "./notebook-notes-model";

const code = (index: number, source: string): NotebookCell => ({ index, cellType: "code", source });
const cells = [code(0, "// @kiln step=load\nconst xs = [1];"), code(1, "const model = fit(xs);")];

function setUp() {
  const analysis = {
    state: { status: "no-notebook" } as AnalysisState,
    changed: new Signal<unknown, void>({}),
  };
  const notes = new NotebookNotesModel(analysis);
  const form = new AnnotationFormModel();
  const section = new AnnotationSection({ form, notes });
  Widget.attach(section, document.body);
  const answer = (state: AnalysisState) => {
    analysis.state = state;
    analysis.changed.emit();
  };
  const text = (selector: string) =>
    [...section.node.querySelectorAll<HTMLElement>(selector)].map((node) => node.textContent);
  return { notes, form, section, answer, text };
}

describe("AnnotationSection", () => {
  afterEach(() => document.body.replaceChildren());

  it("asks for a code cell while none is active, then shows the form for the active one", () => {
    const { form, section, text } = setUp();
    expect(text(".jp-KilnAnnotationSection-cell")).toEqual([
      "Select a code cell to make it a step, params, transform or skip cell.",
    ]);
    expect(section.node.querySelector<HTMLElement>(".jp-KilnAnnotationForm")?.classList).toContain(
      "lm-mod-hidden",
    );
    form.setTarget({ id: "c1", index: 1, cells, cell: {} as never });
    expect(text(".jp-KilnAnnotationSection-cell")).toEqual(["Cell 1: const model = fit(xs);"]);
    expect(section.node.querySelector(".jp-KilnAnnotationForm")?.classList).not.toContain(
      "lm-mod-hidden",
    );
  });

  it("lists each step's inferred inputs and outputs", () => {
    const { notes, answer, text } = setUp();
    notes.showNotebook("a.ipynb", cells);
    expect(text(".jp-KilnAnnotationSection-dataflow li")).toEqual(["Asking the Kiln server…"]);
    const spec = {
      steps: [
        {
          name: "load",
          cells: [{ index: 0, firstLine: "// @kiln step=load" }],
          inputs: [],
          outputs: ["xs"],
        },
      ],
    } as unknown as NotebookAnalysis["spec"];
    answer({
      status: "analyzed",
      path: "a.ipynb",
      analysis: { spec, version: null, problems: [] },
    });
    expect(text(".jp-KilnAnnotationSection-step")).toEqual(["loadinputs: none · outputs: xs"]);
  });

  it("says once why the server's checks are missing, and that the local ones still run", () => {
    const { notes, answer, text, section } = setUp();
    notes.showNotebook("a.ipynb", cells);
    const refused = new KilnServerError(
      "bad-response",
      "HTTP 401.",
      "Set an API key in Settings → Kiln.",
      {
        serverUrl: "http://k",
      },
    );
    answer({ status: "failed", path: "a.ipynb", error: refused });
    expect(text(".jp-KilnAnnotationSection-server p")).toEqual([
      "Kiln could not analyze this notebook: HTTP 401.",
      "Set an API key in Settings → Kiln.",
      "Annotation checks still run here; inferred inputs and outputs need the server.",
    ]);
    expect(text(".jp-KilnAnnotationSection-dataflow li")).toEqual(["Needs the Kiln server."]);
    answer({ status: "analyzing", path: "a.ipynb", previous: null });
    expect(
      section.node.querySelector<HTMLElement>(".jp-KilnAnnotationSection-server")?.hidden,
    ).toBe(true);
  });

  it("shows the problems that concern no single cell", () => {
    const { notes, answer, text } = setUp();
    notes.showNotebook("a.ipynb", cells);
    answer({
      status: "analyzed",
      path: "a.ipynb",
      analysis: {
        spec: null,
        version: null,
        problems: [
          {
            code: "missing-lockfile",
            message: "no `package-lock.json`",
            fix: "Run `npm install`.",
          },
        ],
      },
    });
    expect(text(".jp-KilnAnnotationSection-problem p")).toEqual([
      "no package-lock.json",
      "Run npm install.",
    ]);
    expect(text(".jp-KilnAnnotationSection-dataflow li")).toEqual([
      "Shown once the notebook's problems are fixed.",
    ]);
  });
});
