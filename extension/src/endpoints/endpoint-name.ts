// Endpoint names as the server accepts them (server/src/serving/endpoint-manager.ts), checked as
// the user types so a promotion is never refused for its name.

/** The server's rule: lowercase letters, digits, `-` and `_`, up to 63 characters. */
export const ENDPOINT_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/**
 * What is wrong with `name` as an endpoint name, or `null` when the server will accept it.
 *
 * @example
 * ```ts
 * endpointNameProblem("Drill"); // "\"Drill\" is not a valid endpoint name: use lowercase …"
 * endpointNameProblem("drill"); // null
 * ```
 */
export function endpointNameProblem(name: string): string | null {
  if (name === "") return "Give the endpoint a name, e.g. drill-anomaly.";
  if (ENDPOINT_NAME.test(name)) return null;
  return `"${name}" is not a valid endpoint name: use lowercase letters, digits, - and _ (up to 63 characters), starting with a letter or digit.`;
}

/**
 * A valid endpoint name made from a registered model's name: the default the promote dialog
 * offers.
 *
 * @example
 * ```ts
 * endpointNameFor("Drill Anomaly/v2"); // "drill-anomaly-v2"
 * ```
 */
export function endpointNameFor(modelName: string): string {
  const slug = modelName
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^[-_]+/, "")
    .slice(0, 63)
    .replace(/[-_]+$/, "");
  return slug === "" ? "model" : slug;
}
