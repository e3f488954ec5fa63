// The extension's settings, as declared in schema/plugin.json and read from the setting registry.

import type { ReadonlyPartialJSONObject } from "@lumino/coreutils";

/** What the user configures under Settings → Kiln. */
export type KilnSettings = {
  /** Where the Kiln HTTP server answers (`kiln serve` listens on port 8700 by default). */
  serverUrl: string;
  /** Sent as `Authorization: Bearer <key>` when not empty (`kiln keys create`). */
  apiKey: string;
};

/**
 * The defaults, the same as in `schema/plugin.json` (a test keeps the two in step).
 *
 * @example
 * ```ts
 * const settings: KilnSettings = { ...DEFAULT_KILN_SETTINGS, apiKey: "kiln_..." };
 * ```
 */
export const DEFAULT_KILN_SETTINGS = {
  serverUrl: "http://127.0.0.1:8700",
  apiKey: "",
} as const satisfies KilnSettings;

/**
 * Reads the settings from the registry's composite (user values over defaults). The registry has
 * already validated them against the schema; a value of another type falls back to its default.
 *
 * @example
 * ```ts
 * const settings = readKilnSettings((await settingRegistry.load(PLUGIN_ID)).composite);
 * ```
 */
export function readKilnSettings(composite: ReadonlyPartialJSONObject): KilnSettings {
  const { serverUrl, apiKey } = composite;
  return {
    serverUrl: typeof serverUrl === "string" ? serverUrl.trim() : DEFAULT_KILN_SETTINGS.serverUrl,
    apiKey: typeof apiKey === "string" ? apiKey.trim() : DEFAULT_KILN_SETTINGS.apiKey,
  };
}
