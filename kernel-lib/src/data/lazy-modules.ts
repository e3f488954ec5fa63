// The data layer's heavy packages load on first use: `import * as kiln` in a notebook must not
// pay for Arrow, the native LanceDB addon or the Parquet WebAssembly module (kernel-lib is
// CommonJS, so `require` is in scope).
const nodeRequire: NodeJS.Require = require;

export type ArrowModule = typeof import("apache-arrow");
export type LanceDbModule = typeof import("@lancedb/lancedb");
export type ParquetWasmModule = typeof import("parquet-wasm");

export const loadArrow = (): ArrowModule => nodeRequire("apache-arrow") as ArrowModule;
export const loadLanceDb = (): LanceDbModule => nodeRequire("@lancedb/lancedb") as LanceDbModule;
export const loadParquetWasm = (): ParquetWasmModule =>
  nodeRequire("parquet-wasm") as ParquetWasmModule;
