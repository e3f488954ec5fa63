// The container command of one KFP task: it recreates the files Kiln's step runner expects
// (the spec and the params as JSON) and then execs the runner. The spec travels inside the
// command, base64-encoded, because KFP has no way to mount a file into every task and step code
// holds any quote or newline a shell or YAML could trip on.

import type { ParamSpec, PipelineSpec, StepSpec } from "../../spec";
import { KfpExportError } from "./errors";

// Where the bootstrap writes the spec and params: each task is its own pod, so a fixed folder
// under the temp dir is private to the step. TMPDIR is honoured so a test can run it on a host.
const WORK_DIR = '"${TMPDIR:-/tmp}/kiln"';

/** Where the runner lives below the Kiln install path of the image. */
const RUNNER_SCRIPT = "kernel-lib/dist/pipeline/executor/run-step-cli.js";

// Linux refuses any single argv string over 128 KiB (MAX_ARG_STRLEN), so the encoded spec is
// split over several arguments; the whole argv must also stay under ARG_MAX (usually 2 MiB).
const SPEC_CHUNK_CHARS = 64 * 1024;
const MAX_SPEC_BASE64_CHARS = 1024 * 1024;

// Turns `name type text` triples into params.json. KFP renders a string param as its raw text and
// every other type as JSON (numbers, booleans, lists, structs), so only strings skip JSON.parse.
const WRITE_PARAMS_JS = [
  "const [file, ...rest] = process.argv.slice(1);",
  "const params = {};",
  "for (let i = 0; i < rest.length; i += 3) {",
  "  const [name, type, text] = rest.slice(i, i + 3);",
  '  if (type === "string") { params[name] = text; continue; }',
  "  try { params[name] = JSON.parse(text); }",
  '  catch { throw new Error("Kiln: param " + name + " should be " + type + " as JSON, got: " + text); }',
  "}",
  'require("fs").writeFileSync(file, JSON.stringify(params));',
].join("\n");

/** The `command` and `args` of a KFP container executor. */
export type StepContainer = { command: string[]; args: string[] };

export type StepContainerOptions = {
  /** Absolute path of the Kiln install inside the image, e.g. `/opt/kiln`. */
  kilnPath: string;
};

/**
 * Builds the container command for one step: `sh -c BOOTSTRAP kiln-step SPEC_CHUNK...` as the
 * command, and the step's param placeholders followed by the runner's own flags as the args.
 * Placeholders go in `args` because that is where the KFP launcher substitutes them.
 *
 * @example
 * ```ts
 * const { command, args } = stepContainer(spec, spec.steps[0]!, { kilnPath: "/opt/kiln" });
 * // args: ["{{$.inputs.parameters['lr']}}", "--step", "train",
 * //        "--input", "x={{$.inputs.artifacts['x'].path}}", "--output", "model={{$.outputs.artifacts['model'].path}}"]
 * ```
 */
export function stepContainer(
  spec: PipelineSpec,
  step: StepSpec,
  options: StepContainerOptions,
): StepContainer {
  const chunks = encodeSpec(spec);
  const params = step.params.map((name) => findParam(spec, step, name));
  const runner = `${options.kilnPath.replace(/\/+$/, "")}/${RUNNER_SCRIPT}`;

  // Positional arguments of the script: the spec chunks (from `command`), then one raw value per
  // param (from `args`), then the runner's flags, passed on untouched with "$@".
  const chunkRefs = chunks.map((_, index) => `"\${${index + 1}}"`);
  const paramTriples = params.map(
    (param, index) => `${shellQuote(param.name)} ${param.type} "\${${chunks.length + index + 1}}"`,
  );
  const script = [
    "set -eu",
    `dir=${WORK_DIR}`,
    'mkdir -p "$dir"',
    `printf '%s' ${chunkRefs.join(" ")} | base64 -d > "$dir/spec.json"`,
    `node -e ${shellQuote(WRITE_PARAMS_JS)} -- "$dir/params.json" ${paramTriples.join(" ")}`.trimEnd(),
    `shift ${chunks.length + params.length}`,
    `exec node ${shellQuote(runner)} --spec "$dir/spec.json" --params "$dir/params.json" "$@"`,
  ].join("\n");

  return {
    // "kiln-step" is $0: the name the shell uses in its own error messages.
    command: ["sh", "-c", script, "kiln-step", ...chunks],
    args: [
      ...params.map((param) => `{{$.inputs.parameters['${param.name}']}}`),
      "--step",
      step.name,
      ...step.inputs.flatMap((input) => [
        "--input",
        `${input.name}={{$.inputs.artifacts['${input.name}'].path}}`,
      ]),
      ...step.outputs.flatMap((name) => [
        "--output",
        `${name}={{$.outputs.artifacts['${name}'].path}}`,
      ]),
    ],
  };
}

/** The spec as base64 chunks, each small enough for one argv string. */
function encodeSpec(spec: PipelineSpec): string[] {
  const encoded = Buffer.from(JSON.stringify(spec), "utf8").toString("base64");
  if (encoded.length > MAX_SPEC_BASE64_CHARS) {
    throw new KfpExportError(
      `Pipeline "${spec.name}" is too large to embed in a Kubeflow container command ` +
        `(${Math.ceil(encoded.length / 1024)} KiB encoded, limit ${MAX_SPEC_BASE64_CHARS / 1024} KiB). ` +
        `Move large literals (data, embedded files) out of the notebook code and load them at run time.`,
    );
  }
  const chunks: string[] = [];
  for (let start = 0; start < encoded.length; start += SPEC_CHUNK_CHARS) {
    chunks.push(encoded.slice(start, start + SPEC_CHUNK_CHARS));
  }
  return chunks;
}

function findParam(spec: PipelineSpec, step: StepSpec, name: string): ParamSpec {
  const param = spec.params.find((candidate) => candidate.name === name);
  if (!param) {
    throw new KfpExportError(
      `Step "${step.name}" reads param "${name}", which the pipeline does not declare. ` +
        `Declare it in the params cell, or recompile the notebook if the spec is stale.`,
    );
  }
  return param;
}

/** Single-quotes a word for sh; a quote inside becomes '\'' (close, escaped quote, reopen). */
function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
