// Names a cell may read without declaring them: whatever the JavaScript runtime provides. A step
// runs as a Node CommonJS module (as tslab cells do), so Node's module-scope names count too.
// tslab's display helpers are imported (`import * as tslab from "tslab"`), not globals.

const NODE_MODULE_SCOPE = ["require", "module", "exports", "__dirname", "__filename"];

// Listed as well as read from globalThis, so a compile inside a sandbox that hides some globals
// (a worker, a test environment) still accepts ordinary code.
const LANGUAGE_GLOBALS = [
  "undefined",
  "NaN",
  "Infinity",
  "globalThis",
  "console",
  "process",
  "Buffer",
  "setTimeout",
  "clearTimeout",
  "setInterval",
  "clearInterval",
  "setImmediate",
  "clearImmediate",
  "queueMicrotask",
  "structuredClone",
  "fetch",
  "URL",
  "URLSearchParams",
  "TextEncoder",
  "TextDecoder",
  "AbortController",
  "performance",
];

/**
 * The names a cell may read without declaring them: `Object.getOwnPropertyNames(globalThis)`
 * plus Node's module-scope names (`require`, `module`, `exports`, `__dirname`, `__filename`).
 *
 * @example
 * ```ts
 * RUNTIME_GLOBALS.has("Math"); // true
 * RUNTIME_GLOBALS.has("xs"); // false
 * ```
 */
export const RUNTIME_GLOBALS: ReadonlySet<string> = new Set([
  ...Object.getOwnPropertyNames(globalThis),
  ...NODE_MODULE_SCOPE,
  ...LANGUAGE_GLOBALS,
]);
