// Name resolution across cells: what each step reads, and from where. A name a step reads
// resolves, in this order, to: the step's own declarations, shared names, transform names,
// params, declarations of earlier steps (notebook order), runtime globals. Anything else is an
// error, because the executor only binds what this module finds.

import type { ParamSpec } from "../../spec/pipeline-spec";
import type { DeclarationKind, DeclaredName } from "./cell-analysis";
import { describeCell, type CompileProblem } from "./errors";
import { RUNTIME_GLOBALS } from "./runtime-globals";
import type { AnalyzedCell, NotebookGroups, StepGroup } from "./step-grouping";

/** A step with the names it exchanges with the rest of the pipeline, all sorted. */
export interface ResolvedStep {
  group: StepGroup;
  /** Names read from earlier steps, with the producing step. */
  inputs: { name: string; from: string }[];
  /** Names later steps read from this step. */
  outputs: string[];
  params: string[];
  transforms: string[];
}

/** Result of {@link resolveNames}. */
export interface NameResolution {
  steps: ResolvedStep[];
  sharedNames: string[];
  transformNames: string[];
  params: ParamSpec[];
  problems: CompileProblem[];
}

type Declared = { name: string; kind: DeclarationKind; cell: AnalyzedCell };

/**
 * Resolves every name every cell reads, and checks the rules that make a step runnable on its
 * own: no undefined names, no reassigned upstream values, no functions crossing steps, no two
 * producers for one input, no declaration clashing with a name the executor binds.
 *
 * @example
 * ```ts
 * const { steps, problems } = resolveNames(groupCells(notebook).groups);
 * steps.map((s) => [s.group.name, s.inputs]); // [["prepare", []], ["train", [{ name: "xs", from: "prepare" }]]]
 * ```
 */
export function resolveNames(
  groups: NotebookGroups,
  globals: ReadonlySet<string> = RUNTIME_GLOBALS,
): NameResolution {
  const problems: CompileProblem[] = [];

  // Names the executor puts in scope before a step's code runs, each with its origin so clashes
  // can say where the other declaration is.
  const bound = new Map<string, { origin: string; cell: AnalyzedCell }>();
  const bind = (declared: Declared[], origin: string): void => {
    for (const d of declared) {
      if (d.kind === "type") continue; // types merge and shadow freely; no runtime binding
      const existing = bound.get(d.name);
      if (existing) {
        problems.push(duplicateName(d, `${existing.origin} in ${describeCell(existing.cell.ref)}`));
      } else bound.set(d.name, { origin, cell: d.cell });
    }
  };
  const sharedDeclared = declaredIn(groups.shared);
  const transformDeclared = declaredIn(groups.transforms);
  bind(sharedDeclared, "shared code");
  bind(transformDeclared, "a transform cell");
  const params = groups.params.flatMap(({ cell, params }) =>
    params.map((param) => ({ param, cell })),
  );
  bind(
    params.map(({ param, cell }) => ({ name: param.name, kind: "variable", cell })),
    "a params cell",
  );

  const sharedNames = new Set(sharedDeclared.map((d) => d.name));
  const transformNames = new Set(transformDeclared.map((d) => d.name));
  const paramNames = new Set(params.map(({ param }) => param.name));
  const stepDeclared = groups.steps.map((step) => declaredIn(step.cells));

  // Shared code and transforms run before any step and inside serving: they can only see each
  // other (transforms see shared, not the reverse) and the runtime.
  checkPreamble(groups.shared, "shared code", sharedNames, globals, groups, stepDeclared, problems);
  const visibleToTransforms = new Set([...sharedNames, ...transformNames]);
  checkPreamble(
    groups.transforms,
    "transform code",
    visibleToTransforms,
    globals,
    groups,
    stepDeclared,
    problems,
  );

  const steps: ResolvedStep[] = groups.steps.map((step, i) => {
    const own = stepDeclared[i] ?? [];
    const ownNames = new Set(own.map((d) => d.name));
    for (const d of duplicatesWithin(own)) problems.push(duplicateName(d, `step \`${step.name}\``));
    // Shared and transform code run in the step's scope, so redeclaring their names is an
    // error; a param is only bound when the step reads it, and then it has no own declaration.
    for (const d of own) {
      const clash = d.kind !== "type" ? bound.get(d.name) : undefined;
      if (clash && !paramNames.has(d.name))
        problems.push(duplicateName(d, `${clash.origin} in ${describeCell(clash.cell.ref)}`));
    }

    const resolved: ResolvedStep = {
      group: step,
      inputs: [],
      outputs: [],
      params: [],
      transforms: [],
    };
    const upstreamKind = new Map<string, string>();
    for (const name of unionOf(step.cells, "reads")) {
      if (ownNames.has(name) || sharedNames.has(name)) continue;
      const reader = firstCellWith(step.cells, "reads", name);
      if (transformNames.has(name)) {
        resolved.transforms.push(name);
        upstreamKind.set(name, "a transform");
        continue;
      }
      if (paramNames.has(name)) {
        resolved.params.push(name);
        upstreamKind.set(name, "a param");
        continue;
      }
      const producers = groups.steps
        .slice(0, i)
        .flatMap((earlier, j) =>
          (stepDeclared[j] ?? [])
            .filter((d) => d.name === name && d.kind !== "type")
            .map((d) => ({ step: earlier, declared: d })),
        );
      const [producer, ...others] = producers;
      if (producer && others.length > 0) {
        problems.push({
          code: "ambiguous-output",
          cell: reader.ref,
          message: `step \`${step.name}\` reads \`${name}\`, which steps ${producers.map((p) => `\`${p.step.name}\` (${describeCell(p.declared.cell.ref)})`).join(" and ")} all define; the pipeline cannot tell which value to pass.`,
          fix: `Rename \`${name}\` in all but one of those steps (e.g. \`${name}Raw\`), so each value crossing a step boundary has one producer.`,
        });
      } else if (producer) {
        if (producer.declared.kind !== "variable") {
          problems.push(crossingDeclaration(producer.declared, producer.step, step, reader));
        }
        resolved.inputs.push({ name, from: producer.step.name });
        upstreamKind.set(name, `an output of step \`${producer.step.name}\``);
      } else if (!globals.has(name)) {
        problems.push(
          undefinedName(name, `step \`${step.name}\``, reader, groups, stepDeclared, i),
        );
      }
    }

    for (const name of unionOf(step.cells, "assigns")) {
      if (ownNames.has(name)) continue;
      const what = sharedNames.has(name) ? "a shared declaration" : upstreamKind.get(name);
      if (what === undefined) continue; // a global, or already reported as undefined
      problems.push({
        code: "reassigned-upstream",
        cell: firstCellWith(step.cells, "assigns", name).ref,
        message: `step \`${step.name}\` assigns to \`${name}\`, which is ${what}; values a step receives are constants, and a change would not reach other steps.`,
        fix: `Declare a new name in this step instead (e.g. \`const ${name}Next = …\`) and use it downstream.`,
      });
    }
    return resolved;
  });

  // Outputs are exactly what later steps read, so the executor saves nothing else.
  const byName = new Map(steps.map((s) => [s.group.name, s]));
  for (const step of steps) {
    for (const input of step.inputs) byName.get(input.from)?.outputs.push(input.name);
  }
  for (const step of steps) {
    step.inputs.sort((a, b) => compare(a.name, b.name));
    step.outputs = [...new Set(step.outputs)].sort(compare);
    step.params.sort(compare);
    step.transforms.sort(compare);
  }

  return {
    steps,
    sharedNames: [...sharedNames].sort(compare),
    transformNames: [...transformNames].sort(compare),
    params: params.map(({ param }) => param),
    problems,
  };
}

function checkPreamble(
  cells: AnalyzedCell[],
  what: string,
  visible: ReadonlySet<string>,
  globals: ReadonlySet<string>,
  groups: NotebookGroups,
  stepDeclared: Declared[][],
  problems: CompileProblem[],
): void {
  for (const cell of cells) {
    for (const name of cell.analysis.reads) {
      if (visible.has(name) || globals.has(name)) continue;
      const problem = undefinedName(name, what, cell, groups, stepDeclared, -1);
      problem.fix = `${what[0]?.toUpperCase()}${what.slice(1)} runs before every step${what === "transform code" ? " and in serving" : ""}, so it can only use imports, ${what === "transform code" ? "shared and transform declarations" : "other shared declarations"} and globals: declare \`${name}\` there, or pass it as a function argument.`;
      problems.push(problem);
    }
  }
}

function undefinedName(
  name: string,
  reader: string,
  cell: AnalyzedCell,
  groups: NotebookGroups,
  stepDeclared: Declared[][],
  readerIndex: number,
): CompileProblem {
  const laterIndex = stepDeclared.findIndex(
    (declared, j) => j > readerIndex && declared.some((d) => d.name === name),
  );
  const later = groups.steps[laterIndex];
  const declaration = stepDeclared[laterIndex]?.find((d) => d.name === name);
  if (later && declaration) {
    return {
      code: "undefined-name",
      cell: cell.ref,
      message: `${reader} reads \`${name}\`, which is used but defined nowhere upstream: it is declared in a later step, \`${later.name}\` (${describeCell(declaration.cell.ref)}).`,
      fix: `Move the declaration of \`${name}\` into a step above this cell, or move this code below step \`${later.name}\`.`,
    };
  }
  return {
    code: "undefined-name",
    cell: cell.ref,
    message: `${reader} reads \`${name}\`, which is used but defined nowhere upstream (not in this step, shared code, transforms, params, earlier steps or the runtime's globals).`,
    fix: `Declare \`${name}\` in an earlier step or a cell before the first step, or fix the spelling if it is a typo.`,
  };
}

function crossingDeclaration(
  declared: Declared,
  producer: StepGroup,
  consumer: StepGroup,
  reader: AnalyzedCell,
): CompileProblem {
  const what = declared.kind === "import" ? "import" : declared.kind;
  return {
    code: "function-crosses-step",
    cell: declared.cell.ref,
    message: `step \`${producer.name}\` declares ${what} \`${declared.name}\`, and step \`${consumer.name}\` (${describeCell(reader.ref)}) uses it; only data can pass between steps, which run as separate processes.`,
    fix: `Move \`${declared.name}\` to a cell before the first step (shared by every step), or to a \`// @kiln transform\` cell if serving needs it too.`,
  };
}

function duplicateName(d: Declared, other: string): CompileProblem {
  return {
    code: "duplicate-name",
    cell: d.cell.ref,
    message: `\`${d.name}\` is declared here and also by ${other}; the executor runs both in one scope, where a second declaration is an error.`,
    fix: `Rename one of the two declarations of \`${d.name}\`.`,
  };
}

function declaredIn(cells: AnalyzedCell[]): Declared[] {
  // Overloads and declaration merging repeat a name within one cell; keep the first.
  return cells.flatMap((cell) => {
    const seen = new Set<string>();
    return cell.analysis.declarations
      .filter((d: DeclaredName) => !seen.has(d.name) && seen.add(d.name))
      .map((d) => ({ ...d, cell }));
  });
}

function duplicatesWithin(declared: Declared[]): Declared[] {
  const seen = new Set<string>();
  return declared.filter((d) => {
    if (d.kind === "type") return false;
    if (seen.has(d.name)) return true;
    seen.add(d.name);
    return false;
  });
}

function unionOf(cells: AnalyzedCell[], key: "reads" | "assigns"): string[] {
  return [...new Set(cells.flatMap((c) => c.analysis[key]))].sort(compare);
}

function firstCellWith(
  cells: AnalyzedCell[],
  key: "reads" | "assigns",
  name: string,
): AnalyzedCell {
  // Non-null: the name came from one of these cells.
  return cells.find((c) => c.analysis[key].includes(name)) ?? (cells[0] as AnalyzedCell);
}

// Locale-independent ordering, so specs and hashes are identical on every machine.
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
