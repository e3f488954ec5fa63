import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PIPELINE_SPEC_SCHEMA, type PipelineSpec, type StepSpec } from "../../spec";
import { generateStepSource, splitImports, transpileStepProgram } from "./step-program";

function step(overrides: Partial<StepSpec> & { name: string; code: string }): StepSpec {
  return {
    cells: [],
    inputs: [],
    outputs: [],
    params: [],
    transforms: [],
    after: [],
    dependsOn: [],
    cache: true,
    hash: `hash-${overrides.name}`,
    ...overrides,
  };
}

const spec: PipelineSpec = {
  schema: PIPELINE_SPEC_SCHEMA,
  name: "demo",
  notebook: { path: undefined, hash: "nb" },
  shared: {
    cells: [],
    code: 'import * as path from "node:path";\ninterface Row { x: number }\nconst SCALE = 10;',
    names: ["path", "Row", "SCALE"],
  },
  transforms: {
    cells: [],
    code: "function double(r: Row): Row {\n  return { x: r.x * 2 };\n}",
    names: ["double"],
  },
  params: [
    { name: "factor", type: "number", default: 2 },
    { name: "unused", type: "string", default: "u" },
  ],
  steps: [
    step({
      name: "train",
      code: [
        "// @kiln step=train",
        'import { join } from "node:path";',
        "const rows: Row[] = input.map((x: number) => double({ x: x * factor * SCALE }));",
        "await new Promise((r) => setTimeout(r, 1));",
        'const where = join("a", path.basename("/x/b"));',
        "// trailing comment",
      ].join("\n"),
      inputs: [{ name: "input", from: "load" }],
      outputs: ["rows", "where"],
      params: ["factor"],
      transforms: ["double"],
    }),
  ],
  edges: [],
  lockfileHash: "lock",
  hash: "spec-hash",
};

describe("splitImports", () => {
  it("separates import declarations from the rest and keeps comments with the body", () => {
    const { imports, body } = splitImports(
      '// note\nimport a from "a";\nconst x = 1;\nimport type { T } from "t";\nimport fs = require("fs");\n// end',
    );
    expect(imports).toEqual([
      'import a from "a";',
      'import type { T } from "t";',
      'import fs = require("fs");',
    ]);
    expect(body).toBe("const x = 1;\n// end");
  });

  it("keeps an import-free cell unchanged", () => {
    expect(splitImports("const a = await f();\nexport {};".replace("export {};", ""))).toEqual({
      imports: [],
      body: "const a = await f();\n",
    });
  });
});

describe("generateStepSource", () => {
  const source = generateStepSource(spec, "train", { harness: "/kiln/step-harness.js" });

  it("hoists every import, then runs shared code, transforms, params, inputs and the step", () => {
    const lines = source.split("\n");
    const at = (text: string) => lines.findIndex((line) => line.includes(text));
    expect(at('import * as path from "node:path";')).toBeLessThan(at("__kilnRunStep(async"));
    expect(at('import { join } from "node:path";')).toBeLessThan(at("__kilnRunStep(async"));
    expect(at('from "/kiln/step-harness.js"')).toBeLessThan(at("__kilnRunStep(async"));
    expect(at('const factor = __kilnParams["factor"];')).toBeLessThan(at("const SCALE = 10;"));
    expect(at('const input = __kilnInputs["input"];')).toBeLessThan(at("const SCALE = 10;"));
    expect(at("const SCALE = 10;")).toBeLessThan(at("function double"));
    expect(at("function double")).toBeLessThan(at("const rows: Row[]"));
    expect(at('return { "rows": rows, "where": where };')).toBeGreaterThan(at("const where"));
    expect(source).not.toContain("unused"); // only the params the step reads are bound
  });

  it("rejects an unknown step with the steps there are", () => {
    expect(() => generateStepSource(spec, "nope", { harness: "/h.js" })).toThrow(
      'Pipeline "demo" has no step "nope"; its steps are "train".',
    );
  });
});

describe("transpileStepProgram", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "kiln-program-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("produces CommonJS that runs the step body with top-level await and returns its outputs", async () => {
    // A stand-in harness: calls the body with fixed params and inputs and prints the outputs.
    const harness = join(dir, "harness.js");
    await writeFile(
      harness,
      `exports.runStepProgram = (body) => body({ factor: 3 }, { input: [1, 2] }).then((out) => console.log(JSON.stringify(out)));`,
    );
    const js = transpileStepProgram(generateStepSource(spec, "train", { harness }), "train");
    expect(js).toContain('require("node:path")');
    expect(js).not.toMatch(/^import /m);
    expect(js).not.toContain("interface Row");
    const program = join(dir, "program.js");
    await writeFile(program, js);
    const { stdout } = await promisify(execFile)(process.execPath, [program]);
    expect(JSON.parse(stdout)).toEqual({ rows: [{ x: 60 }, { x: 120 }], where: "a/b" });
  });
});
