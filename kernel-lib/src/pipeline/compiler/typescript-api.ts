// Loading the TypeScript compiler API costs ~250 ms. Step processes and fully cached runs import
// @kiln/kernel-lib without compiling anything, so the compiler loads it on first use.
import type * as TypeScript from "typescript";

let loaded: typeof TypeScript | undefined;

/** The `typescript` module, required on first property access. */
export const tsApi: typeof TypeScript = new Proxy({} as typeof TypeScript, {
  get: (_target, key) =>
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a synchronous lazy load
    Reflect.get((loaded ??= require("typescript") as typeof TypeScript), key),
});
