// @vitest-environment happy-dom
import type { ParamSpec } from "@kiln/kernel-lib/spec";
import { describe, expect, it } from "vitest";
import { ParamForm } from "./ParamForm";

const params: ParamSpec[] = [
  { name: "count", type: "number", default: 3 },
  { name: "shuffle", type: "boolean", default: true },
];
const input = (form: ParamForm, name: string) =>
  form.node.querySelector<HTMLInputElement>(`input[name="${name}"]`)!;
const type = (field: HTMLInputElement, value: string) => {
  field.value = value;
  field.dispatchEvent(new Event("input"));
};

describe("ParamForm", () => {
  it("shows a field per param with its type and default, and nothing without params", () => {
    const form = new ParamForm();
    expect(form.node.children).toHaveLength(0);
    form.setParams(params);
    expect(
      [...form.node.querySelectorAll(".jp-KilnParamForm-name")].map((n) => n.textContent),
    ).toEqual(["count", "shuffle"]);
    expect(input(form, "count").value).toBe("3");
    expect(input(form, "shuffle")).toMatchObject({ type: "checkbox", checked: true });
  });

  it("reads the params that differ from their defaults", () => {
    const form = new ParamForm();
    form.setParams(params);
    expect(form.read()).toEqual({});
    type(input(form, "count"), "10");
    input(form, "shuffle").checked = false;
    expect(form.read()).toEqual({ count: 10, shuffle: false });
  });

  it("refuses a field that does not read as its type, saying so beside it", () => {
    const form = new ParamForm();
    form.setParams(params);
    type(input(form, "count"), "ten");
    expect(form.read()).toBeNull();
    expect(input(form, "count").getAttribute("aria-invalid")).toBe("true");
    expect(form.node.querySelector(".jp-KilnParamForm-problem")?.textContent).toBe(
      "must be a number, such as 3; got “ten”",
    );
    type(input(form, "count"), "4");
    expect(form.read()).toEqual({ count: 4 });
    expect(form.node.querySelector(".jp-KilnParamForm-problem")?.textContent).toBe("");
  });

  it("keeps what was typed while the notebook is edited, and follows a default nobody typed over", () => {
    const form = new ParamForm();
    form.setParams(params);
    type(input(form, "count"), "7");
    form.setParams([
      { name: "count", type: "number", default: 5 },
      { name: "shuffle", type: "boolean", default: false },
      { name: "label", type: "string", default: "run" },
    ]);
    expect(input(form, "count").value).toBe("7");
    expect(input(form, "shuffle").checked).toBe(false);
    expect(input(form, "label").value).toBe("run");
  });
});
