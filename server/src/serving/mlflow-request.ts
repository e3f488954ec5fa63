import { describeValue, outputSize, type ServedModel } from "./endpoint-model";
import { featureList } from "./feature-rows";
import type { RequestPrediction } from "./micro-batcher";
import { ServingRequestError } from "./scoring";

/** The input formats of MLflow's scoring protocol; a JSON body holds exactly one of them. */
export const mlflowInputFormats = [
  "dataframe_split",
  "dataframe_records",
  "instances",
  "inputs",
] as const;

/**
 * Turns an MLflow scoring JSON body into rows (feature name → value, validated later against the
 * model). Accepts exactly one of `dataframe_split` `{columns, data}`, `dataframe_records`
 * `[{col: v}]`, `instances` (objects, or lists in the model's feature order) and `inputs` (an
 * object of column → list, or a list like `instances`); `params` is accepted and ignored.
 *
 * @example
 * mlflowJsonRows(model, { dataframe_split: { columns: ["tenure"], data: [[3], [5]] } });
 * @throws ServingRequestError 400 saying what was expected.
 */
export function mlflowJsonRows(model: ServedModel, body: unknown): unknown[] {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw badRequest(
      `The request body must be a JSON object with one of ${formatList()}, got ${describeValue(body)}.`,
    );
  }
  const request = body as Record<string, unknown>;
  const unknownKeys = Object.keys(request).filter(
    (key) => key !== "params" && !(mlflowInputFormats as readonly string[]).includes(key),
  );
  if (unknownKeys.length > 0) {
    throw badRequest(
      `Unknown field${unknownKeys.length > 1 ? "s" : ""} ${unknownKeys.map((k) => `"${k}"`).join(", ")}; the body holds one of ${formatList()} (and optionally "params").`,
    );
  }
  const formats = mlflowInputFormats.filter((format) => request[format] !== undefined);
  if (formats.length !== 1) {
    throw badRequest(
      formats.length === 0
        ? `The body holds none of ${formatList()}; send e.g. {"dataframe_split": {"columns": [${model.inputs.map((f) => `"${f.name}"`).join(", ")}], "data": [[...]]}}.`
        : `The body holds ${formats.map((f) => `"${f}"`).join(" and ")}; send exactly one of them.`,
    );
  }
  const format = formats[0] as (typeof mlflowInputFormats)[number];
  const value = request[format];
  switch (format) {
    case "dataframe_split":
      return dataframeSplitRows(value);
    case "dataframe_records":
      if (!Array.isArray(value))
        throw badRequest(
          `"dataframe_records" must be a list of row objects, got ${describeValue(value)}.`,
        );
      return value;
    case "instances":
      return instanceRows(model, value, "instances");
    case "inputs":
      return Array.isArray(value) ? instanceRows(model, value, "inputs") : columnRows(value);
  }
}

function dataframeSplitRows(split: unknown): unknown[] {
  const { columns, data } = (typeof split === "object" && split !== null ? split : {}) as Record<
    string,
    unknown
  >;
  if (!Array.isArray(columns) || !columns.every((column) => typeof column === "string")) {
    throw badRequest(
      `"dataframe_split" needs "columns", a list of column names, got ${describeValue(columns)}.`,
    );
  }
  if (!Array.isArray(data)) {
    throw badRequest(
      `"dataframe_split" needs "data", a list of rows (each a list of ${columns.length} values), got ${describeValue(data)}.`,
    );
  }
  return data.map((row, index) => {
    if (!Array.isArray(row) || row.length !== columns.length) {
      throw badRequest(
        `"dataframe_split" row ${index}: expected a list of ${columns.length} values (${columns.join(", ")}), got ${describeValue(row)}.`,
      );
    }
    return Object.fromEntries(columns.map((column, i) => [column, row[i]]));
  });
}

function instanceRows(model: ServedModel, instances: unknown, field: string): unknown[] {
  if (!Array.isArray(instances))
    throw badRequest(`"${field}" must be a list of rows, got ${describeValue(instances)}.`);
  const names = model.inputs.map((feature) => feature.name);
  return instances.map((instance, index) => {
    if (Array.isArray(instance)) {
      if (instance.length !== names.length) {
        throw badRequest(
          `"${field}" row ${index}: a list row holds the model's ${names.length} features in order (${featureList(model.inputs)}), got ${instance.length} values.`,
        );
      }
      return Object.fromEntries(names.map((name, i) => [name, instance[i]]));
    }
    if (typeof instance === "object" && instance !== null) return instance;
    // A bare value is a row of a one-feature model.
    if (names.length === 1) return { [names[0] as string]: instance };
    throw badRequest(
      `"${field}" row ${index}: expected an object of feature values or a list of ${names.length} values, got ${describeValue(instance)}.`,
    );
  });
}

function columnRows(columns: unknown): unknown[] {
  if (typeof columns !== "object" || columns === null) {
    throw badRequest(
      `"inputs" must be an object of column → list of values, or a list of rows, got ${describeValue(columns)}.`,
    );
  }
  const entries = Object.entries(columns as Record<string, unknown>);
  let length: { size: number; from: string } | undefined;
  for (const [name, values] of entries) {
    if (!Array.isArray(values))
      throw badRequest(
        `"inputs" column "${name}" must be a list of values, got ${describeValue(values)}.`,
      );
    if (length && length.size !== values.length) {
      throw badRequest(
        `"inputs" column "${name}" has ${values.length} values but column "${length.from}" has ${length.size}; every column needs one value per row.`,
      );
    }
    length ??= { size: values.length, from: name };
  }
  return Array.from({ length: length?.size ?? 0 }, (_, row) =>
    Object.fromEntries(entries.map(([name, values]) => [name, (values as unknown[])[row]])),
  );
}

/**
 * Turns a CSV body (a header row of column names, then one line per row) into rows, converting
 * each value to its feature's datatype; an empty value is a missing value (`null`).
 *
 * @example
 * mlflowCsvRows(model, "tenure,plan_is_annual\n3,true\n"); // [{ tenure: 3, plan_is_annual: true }]
 * @throws ServingRequestError 400 naming the line and column.
 */
export function mlflowCsvRows(model: ServedModel, csv: string): unknown[] {
  const lines = parseCsv(csv);
  const header = lines[0];
  if (!header || header.every((cell) => cell === "")) {
    throw badRequest(
      `The CSV body needs a header row of column names (${model.inputs.map((f) => f.name).join(",")}).`,
    );
  }
  const features = new Map(model.inputs.map((feature) => [feature.name, feature]));
  return lines.slice(1).map((cells, index) => {
    const line = index + 2;
    if (cells.length !== header.length) {
      throw badRequest(
        `CSV line ${line}: expected ${header.length} values (${header.join(",")}), got ${cells.length}.`,
      );
    }
    return Object.fromEntries(
      header.map((column, i) => {
        const text = (cells[i] ?? "").trim();
        const feature = features.get(column);
        if (!feature || text === "") return [column, text === "" ? null : text];
        if (feature.datatype === "BOOL") {
          const lower = text.toLowerCase();
          if (lower === "true" || lower === "1") return [column, true];
          if (lower === "false" || lower === "0") return [column, false];
          throw badRequest(
            `CSV line ${line}, column "${column}": expected true or false, got ${describeValue(text)}.`,
          );
        }
        const value = Number(text);
        if (!Number.isFinite(value)) {
          throw badRequest(
            `CSV line ${line}, column "${column}": expected a number, got ${describeValue(text)}.`,
          );
        }
        return [column, value];
      }),
    );
  });
}

/** RFC 4180 CSV: commas, `"quoted, fields"` with `""` escapes, CRLF or LF; blank lines skipped. */
function parseCsv(text: string): string[][] {
  const lines: string[][] = [];
  let cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") {
      cells.push(cell);
      cell = "";
    } else if (char === "\n" || char === "\r") {
      if (char === "\r" && text[i + 1] === "\n") i += 1;
      cells.push(cell);
      if (cells.length > 1 || cells[0] !== "") lines.push(cells);
      cells = [];
      cell = "";
    } else cell += char;
  }
  if (quoted) throw badRequest("The CSV body ends inside a quoted value; close the quote.");
  cells.push(cell);
  if (cells.length > 1 || cells[0] !== "") lines.push(cells);
  return lines;
}

/**
 * MLflow's `predictions`: per row, a number when the model has one single-valued output, a list
 * for one multi-valued output, and an object of output name → value when it has several.
 */
export function mlflowPredictions(prediction: RequestPrediction): unknown[] {
  const outputs = prediction.model.outputs;
  const sizes = outputs.map(outputSize);
  return prediction.outputs.map((values) => {
    if (outputs.length === 1) return sizes[0] === 1 ? values[0] : values;
    let offset = 0;
    return Object.fromEntries(
      outputs.map((output, i) => {
        const size = sizes[i] ?? 1;
        const slice = values.slice(offset, offset + size);
        offset += size;
        return [output.name, size === 1 ? slice[0] : slice];
      }),
    );
  });
}

function formatList(): string {
  return mlflowInputFormats.map((format) => `"${format}"`).join(", ");
}

function badRequest(message: string): ServingRequestError {
  return new ServingRequestError(400, message);
}
