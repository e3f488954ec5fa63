import { describe, expect, it } from "vitest";
import { analyzeCell } from "./cell-analysis";

// One row per scoping rule: source, the free names it reads, the free names it assigns.
const readCases: { name: string; source: string; reads: string[]; assigns?: string[] }[] = [
  { name: "plain reference", source: "console.log(xs);", reads: ["console", "xs"] },
  {
    name: "own declaration is not free",
    source: "const a = 1;\nconsole.log(a);",
    reads: ["console"],
  },
  {
    name: "use before declaration in the same cell",
    source: "f(a);\nconst a = 1;\nfunction f(x: number) {}",
    reads: [],
  },
  {
    name: "property names are not references",
    source: "obj.size = other.length;",
    reads: ["obj", "other"],
  },
  {
    name: "object literal keys vs shorthand",
    source: "const o = { epochs: 1, lr };",
    reads: ["lr"],
  },
  { name: "computed keys are references", source: "const o = { [key]: 1 };", reads: ["key"] },
  {
    name: "function params shadow",
    source: "const f = (xs: number[]) => xs.map((x) => x * scale);",
    reads: ["scale"],
  },
  {
    name: "param defaults read",
    source: "function f(a = base, { b } = {}) { return a + b; }",
    reads: ["base"],
  },
  {
    name: "block scopes end",
    source: "{ const inner = 1; }\nconsole.log(inner);",
    reads: ["console", "inner"],
  },
  { name: "var hoists out of blocks", source: "if (ok) { var v = 1; }\nv;", reads: ["ok"] },
  {
    name: "for-of binding",
    source: "for (const row of rows) total(row);",
    reads: ["rows", "total"],
  },
  {
    name: "catch binding",
    source: "try { run(); } catch (err) { report(err); }",
    reads: ["report", "run"],
  },
  {
    name: "destructuring declares, defaults read",
    source: "const { a, b: c = d, ...rest } = src;\nc;",
    reads: ["d", "src"],
  },
  { name: "array destructuring with holes", source: "const [, second] = pair;", reads: ["pair"] },
  {
    name: "type positions are not reads",
    source: "const t: Tensor = make() as Model;\ntype R = typeof rows;\ninterface I { x: Shape }",
    reads: ["make"],
  },
  {
    name: "generic type args are not reads",
    source: "const m = new Map<Key, Value>();",
    reads: ["Map"],
  },
  {
    name: "class extends reads, implements does not",
    source: "class A extends Base implements Shape { m() { return this.x + y; } }",
    reads: ["Base", "y"],
  },
  {
    name: "class members are not references",
    source: "class A { size = 1; static of() { return new A(); } }",
    reads: [],
  },
  {
    name: "named function expression sees itself",
    source: "const f = function fact(n: number): number { return n ? n * fact(n - 1) : 1; };",
    reads: [],
  },
  {
    name: "arguments inside functions",
    source: "function f() { return arguments.length; }",
    reads: [],
  },
  { name: "labels are not references", source: "outer: for (;;) { break outer; }", reads: [] },
  {
    name: "import bindings are declarations",
    source: 'import * as tf from "x";\nimport { a as b } from "y";\ntf.add(b, a);',
    reads: ["a"],
  },
  { name: "top-level await", source: "const model = await load(url);", reads: ["load", "url"] },
  {
    name: "enum members see each other",
    source: "enum E { A = 1, B = A * 2, C = LIMIT }",
    reads: ["LIMIT"],
  },
  { name: "instantiation expression reads", source: "const g = f<number>;", reads: ["f"] },
  {
    name: "assignment",
    source: "x = 1;\ny += 2;\nz++;\n--w;",
    reads: ["w", "x", "y", "z"],
    assigns: ["w", "x", "y", "z"],
  },
  {
    name: "nested assignment",
    source: "function bump() { if (ok) { count += 1; } }",
    reads: ["count", "ok"],
    assigns: ["count"],
  },
  {
    name: "destructuring assignment",
    source: "[a, b] = pair;\n({ c, d: e } = obj);",
    reads: ["a", "b", "c", "e", "obj", "pair"],
    assigns: ["a", "b", "c", "e"],
  },
  {
    name: "for-of assignment target",
    source: "for (item of list) {}",
    reads: ["item", "list"],
    assigns: ["item"],
  },
  {
    name: "assigning own and local names is not reported",
    source: "let n = 0;\nn++;\nconst f = () => { let m = 1; m = 2; };",
    reads: [],
    assigns: [],
  },
  {
    name: "member assignment mutates, does not reassign",
    source: "cfg.lr = 0.1;\narr[0] = 1;",
    reads: ["arr", "cfg"],
    assigns: [],
  },
];

describe("analyzeCell reads and assigns", () => {
  it.each(readCases)("$name", ({ source, reads, assigns }) => {
    const analysis = analyzeCell(source);
    expect(analysis.syntaxErrors).toEqual([]);
    expect(analysis.reads).toEqual(reads);
    expect(analysis.assigns).toEqual(assigns ?? []);
  });
});

describe("analyzeCell declarations", () => {
  it("lists top-level names with their kind", () => {
    const source = [
      'import * as tf from "@tensorflow/tfjs";',
      'import type { Tensor } from "@tensorflow/tfjs";',
      "const { a, b: [c] } = src;",
      "let d = 1;",
      "function f() { const local = 1; return local; }",
      "const g = () => 1;",
      "class K {}",
      "enum E { A }",
      "interface I {}",
      "type T = number;",
      "if (d) { var hoisted = 2; }",
    ].join("\n");
    expect(analyzeCell(source).declarations).toEqual([
      { name: "tf", kind: "import" },
      { name: "Tensor", kind: "type" },
      { name: "a", kind: "variable" },
      { name: "c", kind: "variable" },
      { name: "d", kind: "variable" },
      { name: "f", kind: "function" },
      { name: "g", kind: "function" },
      { name: "K", kind: "class" },
      { name: "E", kind: "enum" },
      { name: "I", kind: "type" },
      { name: "T", kind: "type" },
      { name: "hoisted", kind: "variable" },
    ]);
  });
});

describe("analyzeCell shared-code check", () => {
  const cases: { source: string; offending: string | undefined }[] = [
    {
      source: 'import x from "x";\nfunction f() {}\nclass C {}\ntype T = 1;\nenum E { A }',
      offending: undefined,
    },
    {
      source: 'const A = 1;\nconst B = [-1, "a", { c: null }] as const;\nconst C = `t`;',
      offending: undefined,
    },
    {
      source: 'const fs = require("node:fs");\nconst tfn = await import("@tensorflow/tfjs-node");',
      offending: undefined,
    },
    { source: "const f = (x: number) => x * 2;", offending: undefined },
    { source: "const n = compute();", offending: "const n = compute();" },
    { source: "let counter = 0;", offending: "let counter = 0;" },
    { source: "function f() {}\nf();", offending: "f();" },
    { source: "const a = `${b}`;", offending: "const a = `${b}`;" },
  ];
  it.each(cases)("$source", ({ source, offending }) => {
    expect(analyzeCell(source).firstNonDeclarative?.text).toBe(offending);
  });
});

describe("analyzeCell syntax errors", () => {
  it("reports line, column and the parser's message", () => {
    const [error] = analyzeCell("const a = 1;\nconst b = ;").syntaxErrors;
    expect(error).toEqual({ line: 2, column: 11, message: "Expression expected." });
  });
});
