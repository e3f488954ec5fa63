import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_KILN_SETTINGS, readKilnSettings } from "./settings";

type SettingsSchema = { properties: Record<string, { default: unknown }> };
const schema = JSON.parse(
  readFileSync(new URL("../schema/plugin.json", import.meta.url), "utf8"),
) as SettingsSchema;

describe("Kiln settings", () => {
  it("declares the same settings and defaults in schema/plugin.json as in the code", () => {
    const schemaDefaults = Object.fromEntries(
      Object.entries(schema.properties).map(([name, property]) => [name, property.default]),
    );
    expect(schemaDefaults).toEqual(DEFAULT_KILN_SETTINGS);
  });

  it("defaults to the address `kiln serve` listens on", () => {
    expect(DEFAULT_KILN_SETTINGS.serverUrl).toBe("http://127.0.0.1:8700");
  });

  it("reads the user's values, trimmed", () => {
    expect(readKilnSettings({ serverUrl: " http://kiln:8700 ", apiKey: "kiln_x\n" })).toEqual({
      serverUrl: "http://kiln:8700",
      apiKey: "kiln_x",
    });
  });

  it("falls back to the defaults for missing values", () => {
    expect(readKilnSettings({})).toEqual(DEFAULT_KILN_SETTINGS);
  });
});
