import { join, sep } from "node:path";
import { describe, expect, it } from "vitest";
import { findTslabDisplay, type ModuleCache } from "./tslab-display";

const dist = join(sep, "kernel", "node_modules", "tslab", "dist");

function kernelCache(writeHook: unknown, shown: string[]): ModuleCache {
  return {
    [join(dist, "jupyter.js")]: { exports: { lastWriteDisplayData: writeHook } },
    [join(dist, "public.js")]: { exports: { display: { html: (s: string) => shown.push(s) } } },
  };
}

describe("findTslabDisplay", () => {
  it("finds the display of the kernel's own tslab while it runs a cell", () => {
    const shown: string[] = [];
    const display = findTslabDisplay(kernelCache(() => {}, shown));
    display?.html("<b>hi</b>");
    expect(shown).toEqual(["<b>hi</b>"]);
  });

  it.each([
    { name: "a tslab kernel that runs no cell", cache: kernelCache(null, []) },
    { name: "a process without tslab", cache: { [join(sep, "app", "index.js")]: { exports: {} } } },
  ])("finds none in $name", ({ cache }) => {
    expect(findTslabDisplay(cache)).toBeUndefined();
  });

  it("finds none in this test process, and loads nothing looking", () => {
    expect(findTslabDisplay()).toBeUndefined();
    expect(Object.keys(require.cache).some((file) => file.includes(`${sep}tslab${sep}`))).toBe(
      false,
    );
  });
});
