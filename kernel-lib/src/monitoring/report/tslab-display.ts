/**
 * Showing HTML inline in a notebook running on the tslab kernel. The kernel's own tslab module
 * is looked up among the modules this process has loaded (tslab's `jupyter.js` is there only in
 * a kernel process); its `display.html` writes to the cell being run. Outside a kernel — a
 * script, the server, a test — nothing is found and nothing is loaded: requiring tslab there
 * would pull in its TypeScript compiler for nothing.
 *
 * @example
 * ```ts
 * const display = findTslabDisplay();
 * if (display) display.html("<b>hello</b>");
 * ```
 */
import { dirname, join, sep } from "node:path";

/** The part of tslab's display API the report uses. */
export type HtmlDisplay = { html(html: string): void };

/** Loaded modules by file name, as `require.cache`. */
export type ModuleCache = Readonly<Record<string, { exports?: unknown } | undefined>>;

const JUPYTER_MODULE = `${sep}tslab${sep}dist${sep}jupyter.js`;

/**
 * tslab's display API when this process is a tslab kernel running a cell, else undefined.
 * `cache` is the loaded-module cache to search (default `require.cache`).
 */
export function findTslabDisplay(cache: ModuleCache = require.cache): HtmlDisplay | undefined {
  for (const [file, loaded] of Object.entries(cache)) {
    if (!file.endsWith(JUPYTER_MODULE)) continue;
    // Set while the kernel runs a cell: the hook display data is written through.
    const jupyter = loaded?.exports as { lastWriteDisplayData?: unknown } | undefined;
    if (typeof jupyter?.lastWriteDisplayData !== "function") continue;
    const publicFile = join(dirname(file), "public.js");
    // The kernel's own copy of tslab, next to its jupyter.js (usually loaded already).
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a path known only now
    const tslab = (cache[publicFile]?.exports ?? require(publicFile)) as {
      display?: Partial<HtmlDisplay>;
    };
    const display = tslab.display;
    if (display && typeof display.html === "function") {
      return { html: (html) => (display.html as (html: string) => void).call(display, html) };
    }
  }
  return undefined;
}
