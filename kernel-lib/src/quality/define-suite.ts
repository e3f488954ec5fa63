/**
 * Checking a suite against the format of ./suite-format.ts: every field of every expectation,
 * all problems at once, each with its path, so a suite read from a file or received over HTTP
 * fails with one error that lists everything to fix.
 *
 * @example
 * ```ts
 * const suite = kiln.dq.defineSuite(JSON.parse(await readFile("sensors.suite.json", "utf8")));
 * // SuiteDefinitionError: Suite "sensors" is not valid (1 problem):
 * //   expectations[2].mostly: expected a number between 0 and 1, got 1.5
 * ```
 */
import { SuiteDefinitionError, type SuiteProblem } from "./errors";
import {
  COMPARISON_OPERATORS,
  DIMENSIONS,
  EXPECTATION_TYPES,
  VALUE_TYPES,
  type ExpectationSuite,
  type ExpectationType,
} from "./suite-format";

/**
 * Checks that `json` is a valid suite and returns it typed; throws SuiteDefinitionError listing
 * every problem with its path otherwise.
 *
 * @example
 * ```ts
 * const suite = kiln.dq.defineSuite({
 *   name: "sensors",
 *   expectations: [{ type: "in_range", column: "temp", min: 20, max: 80, mostly: 0.99 }],
 * });
 * ```
 */
export function defineSuite(json: unknown): ExpectationSuite {
  const problems = suiteProblems(json);
  if (problems.length > 0) {
    const name = isRecord(json) && typeof json["name"] === "string" ? json["name"] : undefined;
    throw new SuiteDefinitionError(name, problems);
  }
  return json as ExpectationSuite;
}

/** Every problem of `json` as a suite (none when it is valid). */
export function suiteProblems(json: unknown): SuiteProblem[] {
  const problems = new Problems();
  if (!isRecord(json)) {
    problems.add("(suite)", `expected an object with name and expectations, got ${describe(json)}`);
    return problems.list;
  }
  problems.unknownKeys(json, "", ["name", "dataset", "description", "expectations"], "a suite");
  checkText(json["name"], "name", problems, "a suite name (a non-empty string)");
  if (json["dataset"] !== undefined) {
    checkText(json["dataset"], "dataset", problems, "a dataset name (a non-empty string)");
  }
  if (json["description"] !== undefined && typeof json["description"] !== "string") {
    problems.add("description", `expected text, got ${describe(json["description"])}`);
  }
  const expectations = json["expectations"];
  if (!Array.isArray(expectations)) {
    problems.add(
      "expectations",
      `expected an array of expectations, got ${describe(expectations)}`,
    );
  } else {
    expectations.forEach((expectation, i) =>
      checkExpectation(expectation, `expectations[${i}]`, problems),
    );
  }
  return problems.list;
}

class Problems {
  readonly list: SuiteProblem[] = [];

  add(path: string, message: string): void {
    this.list.push({ path, message });
  }

  unknownKeys(object: Record<string, unknown>, path: string, known: readonly string[], of: string) {
    for (const key of Object.keys(object)) {
      if (!known.includes(key)) {
        this.add(
          join(path, key),
          `unknown property of ${of}; its properties are: ${known.join(", ")}`,
        );
      }
    }
  }
}

/** A field's check: adds problems for a value that is present (absent ones are checked apart). */
type FieldCheck = (value: unknown, path: string, problems: Problems) => void;

type TypeFields = {
  /** Fields it must have. */
  required: Record<string, FieldCheck>;
  optional: Record<string, FieldCheck>;
  /** Judges rows one by one (and so takes `mostly`); else one statistic. */
  rowWise: boolean;
  /** Checks across fields, once every field has been checked alone. */
  rules?: (expectation: Record<string, unknown>, path: string, problems: Problems) => void;
};

const column: FieldCheck = (value, path, problems) =>
  checkText(value, path, problems, "a column name (a non-empty string)");

const columnList: FieldCheck = (value, path, problems) => {
  if (!Array.isArray(value) || value.length === 0) {
    problems.add(path, `expected a non-empty array of column names, got ${describe(value)}`);
    return;
  }
  value.forEach((name, i) => column(name, `${path}[${i}]`, problems));
  const repeated = value.filter((name, i) => value.indexOf(name) !== i);
  for (const name of new Set(repeated)) {
    problems.add(path, `column ${JSON.stringify(name)} is listed more than once`);
  }
};

const fraction: FieldCheck = (value, path, problems) => {
  if (typeof value !== "number" || !(value >= 0 && value <= 1)) {
    problems.add(path, `expected a number between 0 and 1, got ${describe(value)}`);
  }
};

const finiteNumber: FieldCheck = (value, path, problems) => {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    problems.add(path, `expected a finite number, got ${describe(value)}`);
  }
};

const nonNegative: FieldCheck = (value, path, problems) => {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    problems.add(path, `expected a finite number >= 0, got ${describe(value)}`);
  }
};

const positive: FieldCheck = (value, path, problems) => {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    problems.add(path, `expected a finite number > 0, got ${describe(value)}`);
  }
};

const boolean: FieldCheck = (value, path, problems) => {
  if (typeof value !== "boolean")
    problems.add(path, `expected true or false, got ${describe(value)}`);
};

const text: FieldCheck = (value, path, problems) => {
  if (typeof value !== "string") problems.add(path, `expected text, got ${describe(value)}`);
};

const ruleName: FieldCheck = (value, path, problems) =>
  checkText(value, path, problems, "a name for the rule (a non-empty string)");

const scalar: FieldCheck = (value, path, problems) => {
  if (!isScalar(value)) {
    problems.add(path, `expected a string, a finite number or a boolean, got ${describe(value)}`);
  }
};

const scalarList: FieldCheck = (value, path, problems) => {
  if (!Array.isArray(value) || value.length === 0) {
    problems.add(path, `expected a non-empty array of allowed values, got ${describe(value)}`);
    return;
  }
  value.forEach((item, i) => scalar(item, `${path}[${i}]`, problems));
};

const predicate: FieldCheck = (value, path, problems) => {
  if (typeof value !== "function") {
    problems.add(
      path,
      `expected a function (row) => boolean, got ${describe(value)}` +
        (value === undefined ? " (functions do not survive JSON: add such rules in code)" : ""),
    );
  }
};

const oneOf =
  (known: readonly string[], what: string): FieldCheck =>
  (value, path, problems) => {
    if (typeof value === "string" && known.includes(value)) return;
    const got =
      typeof value === "string"
        ? `unknown ${what} ${JSON.stringify(value)}`
        : `got ${describe(value)}`;
    problems.add(path, `${got}; expected one of ${known.join(", ")}`);
  };

const regexFlags: FieldCheck = (value, path, problems) => {
  if (typeof value !== "string" || !/^[dgimsuvy]*$/.test(value)) {
    problems.add(path, `expected RegExp flags (letters of "dgimsuvy"), got ${describe(value)}`);
  }
};

const noveltyModel: FieldCheck = (value, path, problems) => {
  if (!isRecord(value)) {
    problems.add(path, `expected a novelty model from fitNoveltyModel, got ${describe(value)}`);
    return;
  }
  const known = [
    "kind",
    "columns",
    "mean",
    "std",
    "centroids",
    "threshold",
    "quantile",
    "seed",
    "referenceRows",
  ];
  problems.unknownKeys(value, path, known, "a novelty model");
  if (value["kind"] !== "kmeans") {
    problems.add(join(path, "kind"), `expected "kmeans", got ${describe(value["kind"])}`);
  }
  const columns = value["columns"];
  columnList(columns, join(path, "columns"), problems);
  const width = Array.isArray(columns) ? columns.length : undefined;
  const numbers = (item: unknown, at: string, what: string, valid: (n: number) => boolean) => {
    if (
      !Array.isArray(item) ||
      (width !== undefined && item.length !== width) ||
      !item.every((n) => typeof n === "number" && valid(n))
    ) {
      const count = width === undefined ? "" : `${width} `;
      problems.add(at, `expected ${count}${what} (one per column), got ${describe(item)}`);
    }
  };
  numbers(value["mean"], join(path, "mean"), "finite numbers", Number.isFinite);
  numbers(value["std"], join(path, "std"), "numbers > 0", (n) => Number.isFinite(n) && n > 0);
  const centroids = value["centroids"];
  if (!Array.isArray(centroids) || centroids.length === 0) {
    problems.add(
      join(path, "centroids"),
      `expected a non-empty array of centroids, got ${describe(centroids)}`,
    );
  } else {
    centroids.forEach((centroid, i) =>
      numbers(centroid, `${join(path, "centroids")}[${i}]`, "finite numbers", Number.isFinite),
    );
  }
  nonNegative(value["threshold"], join(path, "threshold"), problems);
  fraction(value["quantile"], join(path, "quantile"), problems);
  if (!Number.isInteger(value["seed"])) {
    problems.add(join(path, "seed"), `expected an integer, got ${describe(value["seed"])}`);
  }
  const rows = value["referenceRows"];
  if (!Number.isInteger(rows) || (rows as number) < 0) {
    problems.add(join(path, "referenceRows"), `expected an integer >= 0, got ${describe(rows)}`);
  }
};

const TYPE_FIELDS: Record<ExpectationType, TypeFields> = {
  not_null: { required: { column }, optional: {}, rowWise: true },
  of_type: {
    required: { column, valueType: oneOf(VALUE_TYPES, "value type") },
    optional: {},
    rowWise: true,
  },
  in_range: {
    required: { column },
    optional: { min: finiteNumber, max: finiteNumber, strictMin: boolean, strictMax: boolean },
    rowWise: true,
    rules: (e, path, problems) => bounds(e, path, problems, "a range"),
  },
  in_set: { required: { column, values: scalarList }, optional: {}, rowWise: true },
  match_regex: {
    required: { column, pattern: text },
    optional: { flags: regexFlags },
    rowWise: true,
    rules: (e, path, problems) => {
      const flags = e["flags"] ?? "";
      if (
        typeof e["pattern"] !== "string" ||
        typeof flags !== "string" ||
        !/^[dgimsuvy]*$/.test(flags)
      ) {
        return; // reported field by field
      }
      try {
        new RegExp(e["pattern"], flags);
      } catch (error) {
        problems.add(
          join(path, "pattern"),
          `not a valid regular expression: ${(error as Error).message}`,
        );
      }
    },
  },
  unique: {
    required: {},
    optional: { column, columns: columnList },
    rowWise: true,
    rules: (e, path, problems) => {
      if ((e["column"] === undefined) === (e["columns"] === undefined)) {
        problems.add(
          path,
          "expected either column (a single key) or columns (a compound key), exactly one of them",
        );
      }
    },
  },
  compare: {
    required: { left: column, op: oneOf(COMPARISON_OPERATORS, "operator"), right: column },
    optional: {},
    rowWise: true,
  },
  predicate: {
    required: { name: ruleName, rule: predicate },
    optional: { columns: columnList },
    rowWise: true,
  },
  share: {
    required: {},
    optional: {
      column,
      equals: scalar,
      rule: predicate,
      name: ruleName,
      columns: columnList,
      min: fraction,
      max: fraction,
    },
    rowWise: false,
    rules: (e, path, problems) => {
      const byColumn = e["column"] !== undefined;
      if (byColumn === (e["rule"] !== undefined)) {
        problems.add(
          path,
          "expected either column (with equals, default true or 1) or rule (a row predicate), exactly one of them",
        );
      }
      if (byColumn && (e["name"] !== undefined || e["columns"] !== undefined)) {
        problems.add(path, "name and columns describe a rule; with column, use equals instead");
      }
      if (!byColumn && e["equals"] !== undefined) {
        problems.add(join(path, "equals"), "equals applies to column; a rule decides by itself");
      }
      bounds(e, path, problems, "bounds of the share");
    },
  },
  freshness: { required: { column, maxAgeMs: nonNegative }, optional: {}, rowWise: false },
  row_age: { required: { column, maxAgeMs: nonNegative }, optional: {}, rowWise: true },
  agreement: {
    required: { column, reference: column },
    optional: { tolerance: nonNegative },
    rowWise: true,
  },
  novelty: { required: { model: noveltyModel }, optional: {}, rowWise: true },
};

const COMMON_FIELDS: Record<string, FieldCheck> = {
  dimension: oneOf(DIMENSIONS, "dimension"),
  weight: positive,
  description: text,
};

/** What bounds an expectation that judges one statistic, for the message about `mostly`. */
const STATISTIC_BOUNDS: Partial<Record<ExpectationType, string>> = {
  share: "bound the share with min and max",
  freshness: "bound the age with maxAgeMs",
};

function checkExpectation(expectation: unknown, path: string, problems: Problems): void {
  if (!isRecord(expectation)) {
    problems.add(path, `expected an expectation object with a type, got ${describe(expectation)}`);
    return;
  }
  const type = expectation["type"];
  if (typeof type !== "string" || !(EXPECTATION_TYPES as string[]).includes(type)) {
    const got =
      typeof type === "string"
        ? `unknown expectation type ${JSON.stringify(type)}`
        : `expected an expectation type, got ${describe(type)}`;
    problems.add(join(path, "type"), `${got}; known types: ${EXPECTATION_TYPES.join(", ")}`);
    return;
  }
  const fields = TYPE_FIELDS[type as ExpectationType];
  const own = { ...fields.required, ...fields.optional, ...COMMON_FIELDS };
  if (fields.rowWise) own["mostly"] = fraction;
  for (const key of Object.keys(expectation)) {
    if (key === "type") continue;
    const check = own[key];
    if (check) {
      if (expectation[key] !== undefined || key in fields.required) {
        check(expectation[key], join(path, key), problems);
      }
    } else if (key === "mostly") {
      problems.add(
        join(path, key),
        `${type} judges one statistic, not rows, so mostly does not apply; remove it (${STATISTIC_BOUNDS[type as ExpectationType]})`,
      );
    } else {
      problems.add(
        join(path, key),
        `unknown property of ${type}; its properties are: type, ${Object.keys(own).join(", ")}`,
      );
    }
  }
  for (const [key, check] of Object.entries(fields.required)) {
    if (!(key in expectation)) check(undefined, join(path, key), problems);
  }
  fields.rules?.(expectation, path, problems);
}

function bounds(e: Record<string, unknown>, path: string, problems: Problems, what: string): void {
  const { min, max } = e;
  if (min === undefined && max === undefined) {
    problems.add(path, `expected min, max or both (${what}), got neither`);
  } else if (typeof min === "number" && typeof max === "number" && min > max) {
    problems.add(path, `min (${min}) is greater than max (${max})`);
  }
}

function checkText(value: unknown, path: string, problems: Problems, what: string): void {
  if (typeof value !== "string" || value.trim() === "") {
    problems.add(path, `expected ${what}, got ${describe(value)}`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): boolean {
  return (
    typeof value === "string" ||
    typeof value === "boolean" ||
    (typeof value === "number" && Number.isFinite(value))
  );
}

function join(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

/** A value as a problem message quotes it. */
function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "string") {
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  }
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "function") return "a function";
  if (Array.isArray(value))
    return value.length === 0 ? "an empty array" : `an array of ${value.length}`;
  return "an object";
}
