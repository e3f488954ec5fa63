// Kubeflow names: task and component names end up in Kubernetes object names, so KFP restricts
// them to lowercase letters, digits and dashes. Kiln step names are free text ("Train Model!").

/**
 * Turns any name into one KFP accepts for a task or component: lowercase, runs of other
 * characters become one dash, no leading or trailing dash. The same rule as the KFP SDK's
 * `maybe_rename_for_k8s`, so a name that KFP would keep is kept. Returns `""` when nothing
 * usable remains (e.g. `"!!!"`); {@link kfpTaskNames} gives such steps a fallback name.
 *
 * @example
 * ```ts
 * sanitizeKfpName("Train Model!"); // "train-model"
 * sanitizeKfpName("load_data");    // "load-data"
 * ```
 */
export function sanitizeKfpName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^-0-9a-z]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/** Used for a step whose name has no ASCII letter or digit at all. */
const FALLBACK_NAME = "step";

/**
 * Maps each step name to a unique KFP task name. Names that sanitize alike ("a b", "a-b") get
 * `-2`, `-3`… in the order given, as the KFP SDK does for repeated tasks, so the mapping is
 * stable for a given spec.
 *
 * @example
 * ```ts
 * kfpTaskNames(["Train Model!", "train_model"]);
 * // Map { "Train Model!" => "train-model", "train_model" => "train-model-2" }
 * ```
 */
export function kfpTaskNames(stepNames: readonly string[]): Map<string, string> {
  const taken = new Set<string>();
  const mapping = new Map<string, string>();
  for (const name of stepNames) {
    if (mapping.has(name)) continue;
    const base = sanitizeKfpName(name) || FALLBACK_NAME;
    let unique = base;
    for (let index = 2; taken.has(unique); index += 1) unique = `${base}-${index}`;
    taken.add(unique);
    mapping.set(name, unique);
  }
  return mapping;
}
