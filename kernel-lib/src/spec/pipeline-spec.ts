// The compiled form of an annotated notebook. Browser-safe: no Node imports, so the JupyterLab
// extension, the compiler and the server share one definition.

/** Schema id written into every spec; bump it when the shape changes incompatibly. */
export const PIPELINE_SPEC_SCHEMA = "kiln.pipeline/v1";

/** A JSON value, as params and marshalled values carry them. */
export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A notebook cell as errors and specs point to it: its index and its first non-empty line. */
export interface CellRef {
  index: number;
  firstLine: string;
}

/** A pipeline parameter, declared in a `params` cell with a literal default. */
export interface ParamSpec {
  name: string;
  type: "number" | "string" | "boolean" | "json";
  default: JsonValue;
}

/** One step: the cells it runs, the values it receives and produces, and its cache identity. */
export interface StepSpec {
  name: string;
  /** The step's own cells, in notebook order (its annotated cell and the unannotated cells below). */
  cells: CellRef[];
  /** The step's own code: its cells' sources joined, annotations comments included. */
  code: string;
  /** Values the step reads from upstream steps, with the step that produces each. */
  inputs: { name: string; from: string }[];
  /** Top-level names the step declares that a downstream step reads. */
  outputs: string[];
  /** Pipeline params the step reads. */
  params: string[];
  /** Transform functions (from `transform` cells) the step calls. */
  transforms: string[];
  /** Explicit ordering from the annotation's `after`. */
  after: string[];
  /** Every direct upstream step (data and `after`), sorted. */
  dependsOn: string[];
  /** False when the annotation says `cache: false`: the step always runs. */
  cache: boolean;
  /** hash(step code, shared code, its params' defaults, upstream step hashes, lockfile hash). */
  hash: string;
}

/** An edge of the DAG: data (with the names passed) or ordering only. */
export interface EdgeSpec {
  from: string;
  to: string;
  kind: "data" | "order";
  /** Names passed along a data edge; empty for an order edge. */
  names: string[];
}

/** Code every step runs first: cells before the first step that only import or declare. */
export interface SharedCodeSpec {
  cells: CellRef[];
  code: string;
  /** Names those cells declare (imports, functions, classes, constants, types). */
  names: string[];
}

/** A compiled notebook. JSON-serialisable; `hash` identifies the pipeline version. */
export interface PipelineSpec {
  schema: typeof PIPELINE_SPEC_SCHEMA;
  /** Pipeline name: the notebook's file name without `.ipynb`, unless given. */
  name: string;
  notebook: { path: string | undefined; hash: string };
  shared: SharedCodeSpec;
  /** Feature-transform cells: shared by the steps and, later, run by serving unchanged. */
  transforms: SharedCodeSpec;
  params: ParamSpec[];
  /** Steps in a topological order (ties in notebook order). */
  steps: StepSpec[];
  edges: EdgeSpec[];
  /** Hash of the package lockfile the steps run with. */
  lockfileHash: string;
  /** Hash of everything above: same notebook and lockfile, same hash. */
  hash: string;
}

/** A compiled spec with its human version from the local registry (`v1`, `v2`, …). */
export interface VersionedPipeline {
  spec: PipelineSpec;
  version: string;
}
