// @vitest-environment happy-dom
import { Widget } from "@lumino/widgets";
import { afterEach, describe, expect, it } from "vitest";
import type { RunModel } from "../api/endpoints-api";
import { PromoteForm } from "./PromoteForm";

const model = (name: string, version: string, aliases: string[] = []): RunModel => ({
  model: name,
  version,
  step: "train",
  aliases,
  createdAt: 0,
});
const models = [model("Drill Anomaly", "2", ["champion"]), model("vibration-core", "5")];

describe("PromoteForm", () => {
  let form: PromoteForm;
  const open = (selected = models[0]!) => {
    form = new PromoteForm({ models, selected });
    Widget.attach(form, document.body);
    return form;
  };
  const $ = <T extends Element>(selector: string) => form.node.querySelector<T>(selector)!;
  const type = (selector: string, value: string) => {
    const input = $<HTMLInputElement>(selector);
    input.value = value;
    input.dispatchEvent(new Event("input", { bubbles: true }));
  };
  afterEach(() => form.dispose());

  it("offers every version of the run, the clicked one chosen, and a slug of its name as endpoint", () => {
    open(models[1]);
    expect([...form.node.querySelectorAll("option")].map((o) => o.textContent)).toEqual([
      "Drill Anomaly v2 (step train) @champion",
      "vibration-core v5 (step train)",
    ]);
    expect($<HTMLInputElement>(".jp-KilnPromoteForm-endpoint").value).toBe("vibration-core");
    expect(form.isValid).toBe(true);
    expect(form.getValue()).toEqual({
      model: "vibration-core",
      version: "5",
      endpoint: "vibration-core",
    });
  });

  it("names the endpoint after the chosen model until the user types a name", () => {
    open();
    const version = $<HTMLSelectElement>(".jp-KilnPromoteForm-version");
    version.value = "1";
    version.dispatchEvent(new Event("change"));
    expect(form.getValue().endpoint).toBe("vibration-core");
    type(".jp-KilnPromoteForm-endpoint", "drill");
    version.value = "0";
    version.dispatchEvent(new Event("change"));
    expect(form.getValue()).toEqual({ model: "Drill Anomaly", version: "2", endpoint: "drill" });
  });

  it("says what is wrong with an endpoint name as it is typed, and is invalid until fixed", () => {
    open();
    type(".jp-KilnPromoteForm-endpoint", "Drill!");
    const problem = form.node.querySelector<HTMLElement>(
      ".jp-KilnPromoteForm-problem:not([hidden])",
    );
    expect(problem?.textContent).toMatch(/^"Drill!" is not a valid endpoint name/);
    // JupyterLab's dialog disables "Promote" while the body has an element with jp-mod-error.
    expect($(".jp-KilnPromoteForm-endpoint").classList.contains("jp-mod-error")).toBe(true);
    expect(form.isValid).toBe(false);
    type(".jp-KilnPromoteForm-endpoint", "drill");
    expect(form.isValid).toBe(true);
    expect(form.node.querySelector(".jp-KilnPromoteForm-problem:not([hidden])")).toBeNull();
  });

  it("sends batching limits only when both are given and in range", () => {
    open();
    type(".jp-KilnPromoteForm-maxBatchSize", "64");
    expect(form.isValid).toBe(false);
    expect($<HTMLDetailsElement>("details").open).toBe(true);
    type(".jp-KilnPromoteForm-maxWaitMs", "5");
    expect(form.isValid).toBe(true);
    expect(form.getValue().batching).toEqual({ maxBatchSize: 64, maxWaitMs: 5 });
    type(".jp-KilnPromoteForm-maxBatchSize", "0");
    expect(form.isValid).toBe(false);
  });

  it("shows model names as text, never as markup", () => {
    form = new PromoteForm({
      models: [model("<img src=x onerror=alert(1)>", "1")],
      selected: models[0]!,
    });
    expect(form.node.querySelector("img")).toBeNull();
    expect(form.node.textContent).toContain("<img src=x onerror=alert(1)> v1");
  });
});
