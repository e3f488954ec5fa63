import { describe, expect, it } from "vitest";
import { linearScale, niceDomain, niceStep, niceTicks } from "./chart-scales";
import { shownLabels } from "./chart-frame";

describe("niceStep", () => {
  it.each([
    { span: 1, count: 5, step: 0.2 },
    { span: 0.41, count: 4, step: 0.1 },
    { span: 1500, count: 4, step: 500 },
    { span: 7, count: 5, step: 1 },
    { span: 3e-5, count: 3, step: 1e-5 },
  ])("$span in about $count parts → $step", ({ span, count, step }) => {
    expect(niceStep(span, count)).toBeCloseTo(step, 15);
  });
});

describe("niceDomain", () => {
  it.each([
    {
      min: 0,
      max: 0.41,
      count: 4,
      domain: { min: 0, max: 0.5, ticks: [0, 0.1, 0.2, 0.3, 0.4, 0.5] },
    },
    {
      min: 0.03,
      max: 0.41,
      count: 4,
      domain: { min: 0, max: 0.5, ticks: [0, 0.1, 0.2, 0.3, 0.4, 0.5] },
    },
    { min: 1.1, max: 2.9, count: 4, domain: { min: 1, max: 3, ticks: [1, 1.5, 2, 2.5, 3] } },
    { min: 0, max: 1500, count: 4, domain: { min: 0, max: 1500, ticks: [0, 500, 1000, 1500] } },
    { min: 0, max: 0, count: 4, domain: { min: -1, max: 1, ticks: [-1, -0.5, 0, 0.5, 1] } },
    {
      min: 5,
      max: 5,
      count: 4,
      domain: { min: 4.4, max: 5.6, ticks: [4.4, 4.6, 4.8, 5, 5.2, 5.4, 5.6] },
    },
    { min: NaN, max: 1, count: 5, domain: { min: 0, max: 1, ticks: [0, 0.2, 0.4, 0.6, 0.8, 1] } },
  ])("[$min, $max] → $domain", ({ min, max, count, domain }) => {
    expect(niceDomain(min, max, count)).toEqual(domain);
  });
});

describe("niceTicks", () => {
  it.each([
    { min: 3.2, max: 17.9, ticks: [4, 6, 8, 10, 12, 14, 16] },
    { min: 20, max: 50, ticks: [20, 25, 30, 35, 40, 45, 50] },
    { min: -0.25, max: 0.25, ticks: [-0.2, -0.1, 0, 0.1, 0.2] },
  ])("inside [$min, $max] → $ticks", ({ min, max, ticks }) => {
    expect(niceTicks(min, max, 5)).toEqual(ticks);
  });
});

describe("linearScale", () => {
  it("maps the domain onto the range, also reversed (y axes grow upwards)", () => {
    const toY = linearScale([0, 0.5], [180, 10]);
    expect(toY(0)).toBe(180);
    expect(toY(0.25)).toBe(95);
    expect(toY(0.5)).toBe(10);
    expect(linearScale([2, 2], [0, 100])(2)).toBe(50);
  });
});

describe("shownLabels", () => {
  it.each([
    { count: 5, every: 1, shown: [0, 1, 2, 3, 4] },
    { count: 12, every: 2, shown: [0, 2, 4, 6, 8, 11] },
    { count: 13, every: 2, shown: [0, 2, 4, 6, 8, 10, 12] },
    { count: 14, every: 5, shown: [0, 5, 13] },
    { count: 3, every: 5, shown: [0, 2] },
    { count: 1, every: 1, shown: [0] },
    { count: 0, every: 1, shown: [] },
  ])("$count labels, one in $every → $shown", ({ count, every, shown }) => {
    expect([...shownLabels(count, every)].sort((a, b) => a - b)).toEqual(shown);
  });
});
