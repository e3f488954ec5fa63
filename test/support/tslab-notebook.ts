/** The JSON of an nbformat 4 notebook for the tslab kernel, one code cell per source. */
export function tslabNotebook(sources: readonly string[]): string {
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "tslab", display_name: "TypeScript", language: "typescript" } },
    cells: sources.map((source, i) => ({
      id: `c${i}`,
      cell_type: "code",
      metadata: {},
      outputs: [],
      execution_count: null,
      source,
    })),
  });
}
