// Durations of runs and steps, as the graph and the runs list write them.

/**
 * A duration for people.
 *
 * @example
 * ```ts
 * formatDuration(350); // "350 ms"
 * formatDuration(1234); // "1.2 s"
 * formatDuration(125_000); // "2 min 5 s"
 * ```
 */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}
