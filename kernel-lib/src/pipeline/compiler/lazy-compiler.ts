// Loading the TypeScript compiler API costs ~250 ms. Step processes and fully cached runs import
// @kiln/kernel-lib without compiling anything, so the package root loads the compiler on the
// first compile instead of at import.
import type * as CompileNotebookModule from "./compile-notebook";

let loaded: typeof CompileNotebookModule | undefined;
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a synchronous lazy load
const compiler = () => (loaded ??= require("./compile-notebook") as typeof CompileNotebookModule);

/** {@link CompileNotebookModule.compileNotebook}, loading the compiler on first use. */
export const compileNotebook: typeof CompileNotebookModule.compileNotebook = (...args) =>
  compiler().compileNotebook(...args);

/** {@link CompileNotebookModule.compileNotebookFile}, loading the compiler on first use. */
export const compileNotebookFile: typeof CompileNotebookModule.compileNotebookFile = (...args) =>
  compiler().compileNotebookFile(...args);

/** {@link CompileNotebookModule.findLockfileHash}, loading the compiler module on first use. */
export const findLockfileHash: typeof CompileNotebookModule.findLockfileHash = (...args) =>
  compiler().findLockfileHash(...args);
