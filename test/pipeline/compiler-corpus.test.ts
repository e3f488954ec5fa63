// Data-driven test over the notebook corpus: every notebook in test/notebooks/valid compiles to
// its `<name>.expected.json`, and every one in test/notebooks/broken fails with the problem its
// `<name>.expected-error.txt` describes, without touching the registry.

import { mkdtempSync, readFileSync, readdirSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  compileNotebookFile,
  listPipelines,
  NotebookCompileError,
  registryPath,
} from "../../kernel-lib/src/pipeline/compiler";
import type { PipelineSpec } from "../../kernel-lib/src/spec/pipeline-spec";

const corpus = join(__dirname, "..", "notebooks");
const stateRoot = mkdtempSync(join(tmpdir(), "kiln-corpus-"));
afterAll(() => rmSync(stateRoot, { recursive: true, force: true }));

const notebooksIn = (folder: string): string[] =>
  readdirSync(join(corpus, folder))
    .filter((f) => f.endsWith(".ipynb"))
    .map((f) => f.slice(0, -".ipynb".length))
    .sort();

// The parts of a spec a person can check by reading the notebook (hashes and code are covered
// by the determinism checks instead).
function essentials(spec: PipelineSpec) {
  return {
    name: spec.name,
    shared: spec.shared.names,
    sharedCells: spec.shared.cells.map((c) => c.index),
    transforms: spec.transforms.names,
    ...(spec.transforms.cells.length > 0
      ? { transformCells: spec.transforms.cells.map((c) => c.index) }
      : {}),
    params: spec.params,
    steps: spec.steps.map((s) => ({
      name: s.name,
      cells: s.cells.map((c) => c.index),
      inputs: s.inputs,
      outputs: s.outputs,
      params: s.params,
      transforms: s.transforms,
      after: s.after,
      dependsOn: s.dependsOn,
      cache: s.cache,
    })),
    edges: spec.edges,
  };
}

type ExpectedError = { code: string; cell: number | undefined; message: string | RegExp };

function readExpectedError(file: string): ExpectedError {
  const fields = Object.fromEntries(
    readFileSync(file, "utf8")
      .split("\n")
      .filter((line) => line.includes(":"))
      .map((line) => [
        line.slice(0, line.indexOf(":")).trim(),
        line.slice(line.indexOf(":") + 1).trim(),
      ]),
  );
  const message = String(fields["message"] ?? "");
  return {
    code: String(fields["code"]),
    cell: fields["cell"] === "none" ? undefined : Number(fields["cell"]),
    message: /^\/.*\/$/.test(message) ? new RegExp(message.slice(1, -1), "s") : message,
  };
}

describe("valid notebooks", () => {
  it.each(notebooksIn("valid"))(
    "%s compiles to its expected spec, deterministically",
    async (name) => {
      const stateDir = join(stateRoot, `valid-${name}`);
      const path = join(corpus, "valid", `${name}.ipynb`);
      const expected = JSON.parse(
        readFileSync(join(corpus, "valid", `${name}.expected.json`), "utf8"),
      );

      const first = await compileNotebookFile(path, { stateDir, lockfileHash: "corpus-lockfile" });
      expect(essentials(first.spec)).toEqual(expected);
      expect(first.version).toBe("v1");
      expect(first.spec.notebook.path).toBe(relative(process.cwd(), path).split("\\").join("/"));

      const second = await compileNotebookFile(path, { stateDir, lockfileHash: "corpus-lockfile" });
      expect(second.spec.hash).toBe(first.spec.hash);
      expect(second.spec).toEqual(first.spec);
      expect(second.version).toBe("v1");
      const listing = await listPipelines(stateDir);
      expect(listing.map((p) => [p.name, p.versions.map((v) => [v.version, v.hash])])).toEqual([
        [name, [["v1", first.spec.hash]]],
      ]);

      // A different lockfile changes every step hash, and so makes a new version.
      const third = await compileNotebookFile(path, { stateDir, lockfileHash: "other-lockfile" });
      expect(third.version).toBe("v2");
      for (const [i, step] of third.spec.steps.entries()) {
        expect(step.hash).not.toBe(first.spec.steps[i]?.hash);
      }
    },
  );
});

describe("broken notebooks", () => {
  it.each(notebooksIn("broken"))("%s fails with a located, fixable error", async (name) => {
    const stateDir = join(stateRoot, `broken-${name}`);
    const expected = readExpectedError(join(corpus, "broken", `${name}.expected-error.txt`));
    const error = await compileNotebookFile(join(corpus, "broken", `${name}.ipynb`), {
      stateDir,
      lockfileHash: "corpus-lockfile",
    }).then(
      () => undefined,
      (err: unknown) => err,
    );

    expect(error).toBeInstanceOf(NotebookCompileError);
    const compileError = error as NotebookCompileError;
    const problem = compileError.problems.find((p) => p.code === expected.code);
    expect(problem, compileError.message).toBeDefined();
    expect(problem?.cell?.index).toBe(expected.cell);
    if (typeof expected.message === "string")
      expect(compileError.message).toContain(expected.message);
    else expect(compileError.message).toMatch(expected.message);
    if (problem?.cell) {
      expect(compileError.message).toContain(
        `cell ${problem.cell.index} (\`${problem.cell.firstLine}\`)`,
      );
      expect(problem.cell.firstLine).not.toBe("");
    }
    expect(problem?.fix.length).toBeGreaterThan(10);
    expect(compileError.message).toContain(`Fix: ${problem?.fix}`);

    expect(existsSync(registryPath(stateDir))).toBe(false);
    expect(await listPipelines(stateDir)).toEqual([]);
  });
});
