// Pipeline parameters: a `params` cell holds `const name = <literal>;` declarations only, so the
// defaults can be read without running any code and overridden per run by binding other values.

import type * as ts from "typescript";
import { tsApi } from "./typescript-api";
import type { JsonValue, ParamSpec } from "../../spec/pipeline-spec";
import { isLiteralExpression, parseCellSource, unwrapExpression } from "./cell-analysis";

/** Result of {@link parseParamsCell}: the params, or what makes the cell invalid. */
export type ParamsCellResult =
  { ok: true; params: ParamSpec[] } | { ok: false; reason: string; line: number };

/**
 * Reads the parameters of a `params` cell. Numbers, strings and booleans keep their type; arrays,
 * objects and null are `json`.
 *
 * @example
 * ```ts
 * parseParamsCell('// @kiln params\nconst lr = 0.01;\nconst layers = [16, 8];');
 * // { ok: true, params: [{ name: "lr", type: "number", default: 0.01 },
 * //                      { name: "layers", type: "json", default: [16, 8] }] }
 * ```
 */
export function parseParamsCell(source: string): ParamsCellResult {
  const sourceFile = parseCellSource(source);
  const params: ParamSpec[] = [];
  const lineOf = (node: ts.Node): number =>
    sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line + 1;
  for (const statement of sourceFile.statements) {
    if (tsApi.isEmptyStatement(statement)) continue;
    if (
      !tsApi.isVariableStatement(statement) ||
      !(statement.declarationList.flags & tsApi.NodeFlags.Const)
    ) {
      return {
        ok: false,
        line: lineOf(statement),
        reason: `\`${firstLine(statement, sourceFile)}\` is not a \`const\` declaration`,
      };
    }
    for (const decl of statement.declarationList.declarations) {
      if (!tsApi.isIdentifier(decl.name)) {
        return {
          ok: false,
          line: lineOf(decl),
          reason: "destructuring is not allowed; declare one `const name = value` per param",
        };
      }
      if (!decl.initializer || !isLiteralExpression(decl.initializer)) {
        const shown = decl.initializer ? decl.initializer.getText(sourceFile) : "(nothing)";
        return {
          ok: false,
          line: lineOf(decl),
          reason: `\`${decl.name.text}\` is set to \`${shown}\`, which is not a literal`,
        };
      }
      const value = literalValue(decl.initializer);
      params.push({ name: decl.name.text, type: paramType(value), default: value });
    }
  }
  return { ok: true, params };
}

function paramType(value: JsonValue): ParamSpec["type"] {
  if (typeof value === "number") return "number";
  if (typeof value === "string") return "string";
  if (typeof value === "boolean") return "boolean";
  return "json";
}

// Only called on expressions isLiteralExpression accepted.
function literalValue(expr: ts.Expression): JsonValue {
  const e = unwrapExpression(expr);
  if (tsApi.isStringLiteral(e) || tsApi.isNoSubstitutionTemplateLiteral(e)) return e.text;
  if (tsApi.isNumericLiteral(e)) return numberOf(e.text);
  if (tsApi.isPrefixUnaryExpression(e) && tsApi.isNumericLiteral(e.operand)) {
    const n = numberOf(e.operand.text);
    return e.operator === tsApi.SyntaxKind.MinusToken ? -n : n;
  }
  if (e.kind === tsApi.SyntaxKind.TrueKeyword) return true;
  if (e.kind === tsApi.SyntaxKind.FalseKeyword) return false;
  if (tsApi.isArrayLiteralExpression(e)) return e.elements.map(literalValue);
  if (tsApi.isObjectLiteralExpression(e)) {
    const object: { [key: string]: JsonValue } = {};
    for (const p of e.properties) {
      if (tsApi.isPropertyAssignment(p) && !tsApi.isComputedPropertyName(p.name)) {
        object[(p.name as ts.Identifier | ts.StringLiteral | ts.NumericLiteral).text] =
          literalValue(p.initializer);
      }
    }
    return object;
  }
  return null;
}

// Numeric separators (`1_000`) are valid TypeScript but not valid for Number().
function numberOf(text: string): number {
  return Number(text.replace(/_/g, ""));
}

function firstLine(node: ts.Node, sourceFile: ts.SourceFile): string {
  return node.getText(sourceFile).split("\n")[0]?.trim() ?? "";
}
