// Hand-built pipeline specs for the Kubeflow export tests: the exporter only reads the spec, so
// the tests need no notebook compiler.

import {
  PIPELINE_SPEC_SCHEMA,
  type EdgeSpec,
  type ParamSpec,
  type PipelineSpec,
  type StepSpec,
} from "../../kernel-lib/src/spec";

function step(fields: Partial<StepSpec> & Pick<StepSpec, "name">): StepSpec {
  const inputs = fields.inputs ?? [];
  const after = fields.after ?? [];
  return {
    cells: [{ index: 0, firstLine: `# step ${fields.name}` }],
    code: `// ${fields.name}\n`,
    outputs: [],
    params: [],
    transforms: [],
    cache: true,
    hash: `hash-${fields.name}`,
    ...fields,
    inputs,
    after,
    dependsOn: [...new Set([...inputs.map((input) => input.from), ...after])].sort(),
  };
}

function pipeline(name: string, params: ParamSpec[], steps: StepSpec[]): PipelineSpec {
  const edges: EdgeSpec[] = steps.flatMap((to) =>
    to.dependsOn.map((from): EdgeSpec => {
      const names = to.inputs.filter((input) => input.from === from).map((input) => input.name);
      return { from, to: to.name, kind: names.length > 0 ? "data" : "order", names };
    }),
  );
  return {
    schema: PIPELINE_SPEC_SCHEMA,
    name,
    notebook: { path: `notebooks/${name}.ipynb`, hash: "nb-hash" },
    shared: {
      cells: [],
      code: 'import { loadCsv } from "@kiln/kernel-lib";\n',
      names: ["loadCsv"],
    },
    transforms: { cells: [], code: "", names: [] },
    params,
    steps,
    edges,
    lockfileHash: "lock-hash",
    hash: `spec-hash-${name}`,
  };
}

/**
 * prepare → a, b → "Train Model!", with every param type and step code that would break naive
 * shell or YAML quoting.
 */
export function diamondSpec(): PipelineSpec {
  return pipeline(
    "Churn Diamond",
    [
      { name: "lr", type: "number", default: 0.01 },
      { name: "name", type: "string", default: 'it\'s "quoted"' },
      { name: "flags", type: "json", default: { verbose: true, layers: [64, 32] } },
      { name: "seeds", type: "json", default: [1, 2, 3] },
      { name: "dryRun", type: "boolean", default: false },
    ],
    [
      step({
        name: "prepare",
        code: "const rows = loadCsv('data.csv');\nconst label = \"it's $(rm -rf /) `x` \\n ünïcode\";\n",
        params: ["name"],
        outputs: ["rows"],
      }),
      step({
        name: "a",
        inputs: [{ name: "rows", from: "prepare" }],
        params: ["lr"],
        outputs: ["featuresA"],
      }),
      step({
        name: "b",
        inputs: [{ name: "rows", from: "prepare" }],
        params: ["flags", "seeds"],
        outputs: ["featuresB"],
      }),
      step({
        name: "Train Model!",
        inputs: [
          { name: "featuresA", from: "a" },
          { name: "featuresB", from: "b" },
        ],
        params: ["lr", "name", "flags", "dryRun"],
        outputs: ["model"],
      }),
    ],
  );
}

/** load → clean → publish, where publish only runs after clean (an order edge) and never caches. */
export function linearSpec(): PipelineSpec {
  return pipeline(
    "linear",
    [],
    [
      step({ name: "load", outputs: ["raw"] }),
      step({ name: "clean", inputs: [{ name: "raw", from: "load" }], outputs: ["table"] }),
      step({ name: "publish", after: ["clean"], cache: false }),
    ],
  );
}
