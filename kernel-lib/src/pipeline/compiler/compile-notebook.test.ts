import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { compileNotebook, compileNotebookFile, findLockfileHash } from "./compile-notebook";
import { NotebookCompileError } from "./errors";
import { sha256 } from "./hashing";
import { listPipelines, registryPath } from "./version-registry";

type CellInit = string | { source: string; kiln?: unknown; type?: "code" | "markdown" };

function notebook(...cells: CellInit[]) {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "tslab", language: "typescript", display_name: "TypeScript" } },
    cells: cells.map((c) => {
      const cell = typeof c === "string" ? { source: c } : c;
      return {
        cell_type: cell.type ?? "code",
        metadata: cell.kiln === undefined ? {} : { kiln: cell.kiln },
        source: cell.source,
        outputs: [],
        execution_count: null,
      };
    }),
  };
}

const options = { name: "t", lockfileHash: "lock" };

function problemsOf(run: () => unknown) {
  try {
    run();
  } catch (err) {
    if (err instanceof NotebookCompileError) return err.problems;
    throw err;
  }
  throw new Error("expected a NotebookCompileError");
}

describe("compileNotebook", () => {
  it("is pure and deterministic: same notebook, same spec", () => {
    const nb = notebook("// @kiln step=a\nconst x = 1;", "// @kiln step=b\nconsole.log(x);");
    expect(compileNotebook(JSON.stringify(nb), options)).toEqual(compileNotebook(nb, options));
  });

  it("ignores outputs and execution counts when hashing", () => {
    const nb = notebook("// @kiln step=a\nconst x = 1;");
    const executed = structuredClone(nb) as { cells: Record<string, unknown>[] };
    Object.assign(executed.cells[0] ?? {}, {
      execution_count: 7,
      outputs: [{ output_type: "stream", name: "stdout", text: "hi" }],
    });
    expect(compileNotebook(executed, options).hash).toBe(compileNotebook(nb, options).hash);
  });

  it("changes a step's hash when anything upstream of it changes, and only then", () => {
    const base = compileNotebook(
      notebook(
        "// @kiln step=a\nconst x = 1;",
        "// @kiln step=b\nconst y = x + 1;",
        "// @kiln step=c\nconst z = 3;",
      ),
      options,
    );
    const changed = compileNotebook(
      notebook(
        "// @kiln step=a\nconst x = 2;",
        "// @kiln step=b\nconst y = x + 1;",
        "// @kiln step=c\nconst z = 3;",
      ),
      options,
    );
    const hash = (spec: typeof base, name: string) => spec.steps.find((s) => s.name === name)?.hash;
    expect(hash(changed, "a")).not.toBe(hash(base, "a"));
    expect(hash(changed, "b")).not.toBe(hash(base, "b")); // its upstream changed
    expect(hash(changed, "c")).toBe(hash(base, "c"));
    expect(changed.hash).not.toBe(base.hash);
  });

  it("includes a param's default in the hash of the steps that read it", () => {
    const build = (lr: string) =>
      compileNotebook(
        notebook(
          `// @kiln params\nconst lr = ${lr};`,
          "// @kiln step=a\nconsole.log(lr);",
          "// @kiln step=b\nconst q = 1;",
        ),
        options,
      );
    const [a1, b1] = build("0.1").steps;
    const [a2, b2] = build("0.2").steps;
    expect(a2?.hash).not.toBe(a1?.hash);
    expect(b2?.hash).toBe(b1?.hash);
  });

  it("joins a step's cells so automatic semicolon insertion cannot glue them together", () => {
    const spec = compileNotebook(
      notebook("// @kiln step=a\nconst v = [1, 2]", "[3].forEach((n) => v.push(n))"),
      options,
    );
    expect(spec.steps[0]?.code).toBe(
      "// @kiln step=a\nconst v = [1, 2]\n\n;[3].forEach((n) => v.push(n))\n",
    );
  });

  it("binds names from the step's own cells, and reads across cells of one step", () => {
    const spec = compileNotebook(
      notebook(
        "// @kiln step=a\nconst x = 1;",
        "const y = x * 2;",
        "// @kiln step=b\nconsole.log(y);",
      ),
      options,
    );
    expect(spec.steps.map((s) => [s.name, s.inputs, s.outputs])).toEqual([
      ["a", [], ["y"]],
      ["b", [{ name: "y", from: "a" }], []],
    ]);
  });

  it("accepts the metadata form without a kind and notebooks without kernel metadata", () => {
    const nb = { ...notebook({ source: "const a = 1;", kiln: { step: "only" } }), metadata: {} };
    expect(compileNotebook(nb, options).steps.map((s) => s.name)).toEqual(["only"]);
  });

  it("names the pipeline after the notebook file", () => {
    const spec = compileNotebook(notebook("// @kiln step=a\n1;"), {
      path: "dir/My-Model.ipynb",
      lockfileHash: "l",
    });
    expect(spec.name).toBe("My-Model");
    expect(spec.notebook.path).toBe("dir/My-Model.ipynb");
  });

  it("reports every problem at once, in cell order", () => {
    const problems = problemsOf(() =>
      compileNotebook(
        notebook(
          "// @kiln step=a\nconsole.log(missing);",
          "// @kiln step=b\nconst c = alsoMissing;",
        ),
        options,
      ),
    );
    expect(problems.map((p) => [p.code, p.cell?.index])).toEqual([
      ["undefined-name", 0],
      ["undefined-name", 1],
    ]);
  });

  const rules: { name: string; cells: CellInit[]; code: string; cell: number; message: string }[] =
    [
      {
        name: "a step redeclaring a shared name",
        cells: ["const LIMIT = 3;", "// @kiln step=a\nconst LIMIT = 4;"],
        code: "duplicate-name",
        cell: 1,
        message: "also by shared code",
      },
      {
        name: "two cells of one step declaring the same name",
        cells: ["// @kiln step=a\nconst x = 1;", "const x = 2;"],
        code: "duplicate-name",
        cell: 1,
        message: "`x` is declared here and also by step `a`",
      },
      {
        name: "a param clashing with a shared name",
        cells: [
          "const lr = 1;",
          "// @kiln params\nconst lr = 0.1;",
          "// @kiln step=a\nconsole.log(lr);",
        ],
        code: "duplicate-name",
        cell: 1,
        message: "also by shared code",
      },
      {
        name: "shared code reading a step's value",
        cells: [
          "function total() {\n  return rows.length;\n}",
          "// @kiln step=a\nconst rows = [1];",
        ],
        code: "undefined-name",
        cell: 0,
        message: "shared code reads `rows`",
      },
      {
        name: "a transform reading a param",
        cells: [
          "// @kiln params\nconst scale = 2;",
          "// @kiln transform\nconst f = (x: number) => x * scale;",
          "// @kiln step=a\nf(1);",
        ],
        code: "undefined-name",
        cell: 1,
        message: "transform code reads `scale`",
      },
      {
        name: "reassigning a shared import",
        cells: [
          'import * as tf from "@tensorflow/tfjs";',
          "// @kiln step=a\n// @ts-ignore\ntf = undefined;",
        ],
        code: "reassigned-upstream",
        cell: 1,
        message: "which is a shared declaration",
      },
      {
        name: "a class crossing steps",
        cells: ["// @kiln step=a\nclass Scaler {}", "// @kiln step=b\nnew Scaler();"],
        code: "function-crosses-step",
        cell: 0,
        message: "declares class `Scaler`",
      },
      {
        name: "params with destructuring",
        cells: ["// @kiln params\nconst { a, b } = { a: 1, b: 2 };", "// @kiln step=s\n1;"],
        code: "invalid-params",
        cell: 0,
        message: "destructuring is not allowed",
      },
      {
        name: "params with let",
        cells: ["// @kiln params\nlet epochs = 3;", "// @kiln step=s\n1;"],
        code: "invalid-params",
        cell: 0,
        message: "`let epochs = 3;` is not a `const` declaration",
      },
    ];
  it.each(rules)("rejects $name", ({ cells, code, cell, message }) => {
    const problems = problemsOf(() => compileNotebook(notebook(...cells), options));
    const problem = problems.find((p) => p.code === code);
    expect(problem, JSON.stringify(problems)).toBeDefined();
    expect(problem?.cell?.index).toBe(cell);
    expect(problem?.message).toContain(message);
  });

  it("rejects a file name that cannot be a pipeline name", () => {
    const problems = problemsOf(() =>
      compileNotebook(notebook("// @kiln step=a\n1;"), {
        path: "my model.ipynb",
        lockfileHash: "l",
      }),
    );
    expect(problems[0]?.code).toBe("invalid-pipeline-name");
  });
});

describe("compileNotebookFile", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "kiln-compile-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("hashes the nearest package-lock.json above the notebook and registers versions", async () => {
    await writeFile(join(dir, "package-lock.json"), '{"lockfileVersion": 3}');
    await mkdir(join(dir, "notebooks"));
    const path = join(dir, "notebooks", "churn.ipynb");
    await writeFile(path, JSON.stringify(notebook("// @kiln step=a\nconst x = 1;")));
    const stateDir = join(dir, ".kiln");

    const first = await compileNotebookFile(path, { stateDir });
    expect(first.spec.lockfileHash).toBe(sha256('{"lockfileVersion": 3}'));
    expect(await findLockfileHash(join(dir, "notebooks"))).toBe(first.spec.lockfileHash);
    expect(first.version).toBe("v1");
    expect((await compileNotebookFile(path, { stateDir })).version).toBe("v1");

    await writeFile(path, JSON.stringify(notebook("// @kiln step=a\nconst x = 2;")));
    const changed = await compileNotebookFile(path, { stateDir });
    expect(changed.version).toBe("v2");
    expect(
      (await listPipelines(stateDir)).map((p) => [p.name, p.versions.map((v) => v.version)]),
    ).toEqual([["churn", ["v1", "v2"]]]);
  });

  it("hashes a lockfile again once it changes (hashes are kept between calls)", async () => {
    const lockfile = join(dir, "package-lock.json");
    await writeFile(lockfile, '{"lockfileVersion": 3}');
    expect(await findLockfileHash(dir)).toBe(sha256('{"lockfileVersion": 3}'));
    await writeFile(lockfile, '{"lockfileVersion": 3, "packages": {}}');
    expect(await findLockfileHash(dir)).toBe(sha256('{"lockfileVersion": 3, "packages": {}}'));
  });

  it("writes nothing when compilation fails", async () => {
    const path = join(dir, "broken.ipynb");
    await writeFile(path, JSON.stringify(notebook("// @kiln step=a\nconsole.log(nope);")));
    const stateDir = join(dir, ".kiln");
    await expect(compileNotebookFile(path, { stateDir, lockfileHash: "l" })).rejects.toThrow(
      NotebookCompileError,
    );
    expect(existsSync(registryPath(stateDir))).toBe(false);
    expect(existsSync(stateDir)).toBe(false);
  });

  it("pins a notebook outside any npm project with Kiln's own lockfile", async () => {
    const path = join(dir, "lonely.ipynb");
    await writeFile(path, JSON.stringify(notebook("// @kiln step=a\n1;")));
    const { spec } = await compileNotebookFile(path, { stateDir: join(dir, ".kiln") });
    expect(spec.lockfileHash).toBe(await findLockfileHash(__dirname));
    expect(spec.lockfileHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("says what to do when the file is missing", async () => {
    await expect(
      compileNotebookFile(join(dir, "nope.ipynb"), { lockfileHash: "l" }),
    ).rejects.toThrow(/cannot read the notebook file .*nope\.ipynb[\s\S]*Fix: Check the path/);
  });
});

describe("compileNotebookFile's cache of compiled specs", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "kiln-compile-cache-"));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  // A child process, so that "TypeScript was loaded" is not polluted by this test process.
  const compileInChild = async (path: string, stateDir: string) => {
    const script = `
      const { compileNotebookFile } = require(${JSON.stringify(join(__dirname, "compile-notebook.ts"))});
      compileNotebookFile(${JSON.stringify(path)}, { stateDir: ${JSON.stringify(stateDir)}, lockfileHash: "l" }).then((p) => {
        const loadedTypescript = Object.keys(require.cache).some((k) => k.includes("/node_modules/typescript/"));
        console.log(JSON.stringify({ version: p.version, hash: p.spec.hash, loadedTypescript }));
      });`;
    const tsx = join(__dirname, "..", "..", "..", "..", "node_modules", ".bin", "tsx");
    const { stdout } = await promisify(execFile)(tsx, ["-e", script]);
    return JSON.parse(stdout.trim()) as {
      version: string;
      hash: string;
      loadedTypescript: boolean;
    };
  };

  it("recompiles an unchanged notebook without loading TypeScript, and misses after an edit", async () => {
    const path = join(dir, "cached.ipynb");
    const stateDir = join(dir, ".kiln");
    await writeFile(path, JSON.stringify(notebook("// @kiln step=a\nconst a = 1;")));
    const first = await compileInChild(path, stateDir);
    expect(first).toMatchObject({ version: "v1", loadedTypescript: true });
    expect(await compileInChild(path, stateDir)).toEqual({ ...first, loadedTypescript: false });

    await writeFile(path, JSON.stringify(notebook("// @kiln step=a\nconst a = 2;")));
    const edited = await compileInChild(path, stateDir);
    expect(edited).toMatchObject({ version: "v2", loadedTypescript: true });
    expect(edited.hash).not.toBe(first.hash);
  });
});
