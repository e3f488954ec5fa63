// The notebook compiler's public API. Modules not listed here (grouping, name resolution, DAG,
// params parsing) are internal steps of compileNotebook.
export {
  compileNotebook,
  compileNotebookFile,
  findLockfileHash,
  nearestLockfileHash,
  type CompileNotebookOptions,
  type CompileNotebookFileOptions,
} from "./compile-notebook";
export {
  NotebookCompileError,
  describeCell,
  type CompileProblem,
  type CompileProblemCode,
} from "./errors";
export {
  listPipelines,
  readPipelineSpec,
  registerPipelineVersion,
  registryPath,
  PipelineRegistryError,
  type PipelineListing,
  type PipelineVersionEntry,
} from "./version-registry";
export { parseNotebook, type NotebookCell, type ParsedNotebook } from "./notebook-format";
export {
  analyzeCell,
  type CellAnalysis,
  type CellSyntaxError,
  type DeclarationKind,
  type DeclaredName,
} from "./cell-analysis";
export { canonicalJson, specHash, stepHash, type StepHashInput } from "./hashing";
