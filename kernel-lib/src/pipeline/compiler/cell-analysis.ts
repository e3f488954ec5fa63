// Static analysis of one cell with the TypeScript compiler API: which top-level names it
// declares, which names it reads that it does not declare itself (free names), and which of
// those it assigns. Step grouping and name resolution are built on these three sets, the same way
// Kale does it for Python with its own parser.

import type * as ts from "typescript";
import { tsApi } from "./typescript-api";

/** What a top-level declaration is; decides where the name may be used from. */
export type DeclarationKind =
  | "import"
  | "function"
  | "class"
  | "enum"
  | "namespace"
  /** interfaces, type aliases and `import type`: no runtime value. */
  | "type"
  | "variable";

/** A name a cell declares at its top level. */
export interface DeclaredName {
  name: string;
  kind: DeclarationKind;
}

/** A syntax error, positioned in the cell (1-based line and column). */
export interface CellSyntaxError {
  line: number;
  column: number;
  message: string;
}

/** What {@link analyzeCell} finds in one cell. */
export interface CellAnalysis {
  /** Top-level declarations, in source order (hoisted `var`s in nested blocks included). */
  declarations: DeclaredName[];
  /** Free value names read (not declared anywhere in the cell), sorted. Assigned names included. */
  reads: string[];
  /** Free names the cell assigns (`x = …`, `x += …`, `x++`, destructuring) at any depth, sorted. */
  assigns: string[];
  syntaxErrors: CellSyntaxError[];
  /**
   * The first top-level statement that is not an import or a declaration (function, class,
   * type, enum, or `const` with a literal, function or `require("…")` initializer), if any:
   * such a cell cannot be shared code.
   */
  firstNonDeclarative: { line: number; text: string } | undefined;
}

/**
 * Analyses one cell's TypeScript source. Top-level `await` is allowed, as in tslab.
 *
 * @example
 * ```ts
 * const a = analyzeCell("const model = fit(xs, { epochs });\nhistory.push(model);");
 * a.declarations; // [{ name: "model", kind: "variable" }]
 * a.reads; // ["epochs", "fit", "history", "xs"]
 * ```
 */
export function analyzeCell(source: string): CellAnalysis {
  const sourceFile = parseCellSource(source);
  const root = new Scope(undefined);
  declareStatements(sourceFile.statements, root);
  hoistVars(sourceFile, root);

  const reads = new Set<string>();
  const assigns = new Set<string>();
  const visit = (node: ts.Node, scope: Scope): void => {
    if (tsApi.isIdentifier(node)) {
      if (isValueReference(node) && !scope.resolves(node.text)) {
        reads.add(node.text);
        if (isAssignmentTarget(node)) assigns.add(node.text);
      }
      return;
    }
    // Heritage: `extends Base` reads a value; `implements Shape` is a type.
    if (tsApi.isHeritageClause(node)) {
      if (node.token === tsApi.SyntaxKind.ExtendsKeyword && tsApi.isClassLike(node.parent)) {
        for (const type of node.types) visit(type.expression, scope);
      }
      return;
    }
    // `f<number>` in an expression (an instantiation expression) still reads `f`.
    if (tsApi.isExpressionWithTypeArguments(node)) {
      visit(node.expression, scope);
      return;
    }
    if (isTypeOnly(node)) return;
    const inner = scopeFor(node, scope);
    tsApi.forEachChild(node, (child) => visit(child, inner));
  };
  for (const statement of sourceFile.statements) visit(statement, root);

  return {
    declarations: topLevelDeclarations(sourceFile, root),
    reads: [...reads].sort(),
    assigns: [...assigns].sort(),
    syntaxErrors: syntaxErrorsOf(sourceFile),
    firstNonDeclarative: firstNonDeclarative(sourceFile),
  };
}

/**
 * Parses a cell as a TypeScript module-less script (the way tslab sees a cell).
 *
 * @example
 * ```ts
 * parseCellSource("const lr = 0.01;").statements.length; // 1
 * ```
 */
export function parseCellSource(source: string): ts.SourceFile {
  return tsApi.createSourceFile(
    "cell.ts",
    source,
    tsApi.ScriptTarget.ES2022,
    true,
    tsApi.ScriptKind.TS,
  );
}

/**
 * Unwraps `(x)`, `x as const`, `x satisfies T` and `<T>x` to the expression that runs.
 *
 * @example
 * ```ts
 * unwrapExpression(expr).kind === ts.SyntaxKind.NumericLiteral;
 * ```
 */
export function unwrapExpression(expr: ts.Expression): ts.Expression {
  let current = expr;
  while (
    tsApi.isParenthesizedExpression(current) ||
    tsApi.isAsExpression(current) ||
    tsApi.isSatisfiesExpression(current) ||
    tsApi.isTypeAssertionExpression(current)
  ) {
    current = current.expression;
  }
  return current;
}

class Scope {
  readonly names = new Set<string>();
  constructor(readonly parent: Scope | undefined) {}

  resolves(name: string): boolean {
    return this.names.has(name) || (this.parent?.resolves(name) ?? false);
  }
}

// The scope a node's children are visited in: a new one for every construct that opens a scope
// (functions, blocks, loops with let/const, catch clauses, class expressions with a name).
function scopeFor(node: ts.Node, parent: Scope): Scope {
  if (tsApi.isFunctionLike(node)) {
    const scope = new Scope(parent);
    if (tsApi.isFunctionExpression(node) && node.name) scope.names.add(node.name.text);
    if (!tsApi.isArrowFunction(node)) scope.names.add("arguments");
    for (const param of node.parameters) {
      for (const name of bindingNames(param.name)) scope.names.add(name);
    }
    const body = (node as ts.FunctionLikeDeclarationBase).body;
    if (body) hoistVars(body, scope);
    return scope;
  }
  if (tsApi.isBlock(node) || tsApi.isModuleBlock(node) || tsApi.isCaseBlock(node)) {
    const scope = new Scope(parent);
    const statements = tsApi.isCaseBlock(node)
      ? node.clauses.flatMap((clause) => [...clause.statements])
      : node.statements;
    declareStatements(statements, scope);
    return scope;
  }
  if (tsApi.isForStatement(node) || tsApi.isForInStatement(node) || tsApi.isForOfStatement(node)) {
    const scope = new Scope(parent);
    const init = node.initializer;
    if (init && tsApi.isVariableDeclarationList(init)) {
      for (const decl of init.declarations) {
        for (const name of bindingNames(decl.name)) scope.names.add(name);
      }
    }
    return scope;
  }
  if (tsApi.isCatchClause(node) && node.variableDeclaration) {
    const scope = new Scope(parent);
    for (const name of bindingNames(node.variableDeclaration.name)) scope.names.add(name);
    return scope;
  }
  if (tsApi.isClassExpression(node) && node.name) {
    const scope = new Scope(parent);
    scope.names.add(node.name.text);
    return scope;
  }
  if (tsApi.isEnumDeclaration(node)) {
    // Members may refer to earlier members by bare name.
    const scope = new Scope(parent);
    for (const member of node.members) {
      if (tsApi.isIdentifier(member.name)) scope.names.add(member.name.text);
    }
    return scope;
  }
  return parent;
}

// Block-scoped declarations (and function declarations, block-scoped in strict code) of one
// statement list.
function declareStatements(statements: readonly ts.Statement[], scope: Scope): void {
  for (const statement of statements) {
    for (const { name } of declarationsOf(statement)) scope.names.add(name);
  }
}

// `var` is function-scoped: collect it from nested blocks, stopping at nested functions/classes.
function hoistVars(node: ts.Node, scope: Scope): void {
  const walk = (n: ts.Node): void => {
    if (tsApi.isFunctionLike(n) || tsApi.isClassLike(n)) return;
    if (tsApi.isVariableDeclarationList(n) && !(n.flags & tsApi.NodeFlags.BlockScoped)) {
      for (const decl of n.declarations) {
        for (const name of bindingNames(decl.name)) scope.names.add(name);
      }
    }
    tsApi.forEachChild(n, walk);
  };
  tsApi.forEachChild(node, walk);
}

function declarationsOf(statement: ts.Statement): DeclaredName[] {
  if (tsApi.isVariableStatement(statement)) {
    return statement.declarationList.declarations.flatMap((decl) =>
      bindingNames(decl.name).map((name) => ({ name, kind: variableKind(decl) })),
    );
  }
  if (tsApi.isFunctionDeclaration(statement) && statement.name) {
    return [{ name: statement.name.text, kind: "function" }];
  }
  if (tsApi.isClassDeclaration(statement) && statement.name) {
    return [{ name: statement.name.text, kind: "class" }];
  }
  if (tsApi.isEnumDeclaration(statement)) return [{ name: statement.name.text, kind: "enum" }];
  if (tsApi.isModuleDeclaration(statement) && tsApi.isIdentifier(statement.name)) {
    return [{ name: statement.name.text, kind: "namespace" }];
  }
  if (tsApi.isInterfaceDeclaration(statement) || tsApi.isTypeAliasDeclaration(statement)) {
    return [{ name: statement.name.text, kind: "type" }];
  }
  if (tsApi.isImportEqualsDeclaration(statement)) {
    return [{ name: statement.name.text, kind: statement.isTypeOnly ? "type" : "import" }];
  }
  if (tsApi.isImportDeclaration(statement) && statement.importClause) {
    const clause = statement.importClause;
    const kindOf = (typeOnly: boolean): DeclarationKind =>
      clause.isTypeOnly || typeOnly ? "type" : "import";
    const names: DeclaredName[] = [];
    if (clause.name) names.push({ name: clause.name.text, kind: kindOf(false) });
    const bindings = clause.namedBindings;
    if (bindings && tsApi.isNamespaceImport(bindings)) {
      names.push({ name: bindings.name.text, kind: kindOf(false) });
    } else if (bindings) {
      for (const element of bindings.elements) {
        names.push({ name: element.name.text, kind: kindOf(element.isTypeOnly) });
      }
    }
    return names;
  }
  return [];
}

// A const holding a function or class is a function or class as far as crossing steps goes:
// neither can be marshalled to another process.
function variableKind(decl: ts.VariableDeclaration): DeclarationKind {
  const init = decl.initializer && unwrapExpression(decl.initializer);
  if (init && (tsApi.isArrowFunction(init) || tsApi.isFunctionExpression(init))) return "function";
  if (init && tsApi.isClassExpression(init)) return "class";
  return "variable";
}

function topLevelDeclarations(sourceFile: ts.SourceFile, root: Scope): DeclaredName[] {
  const declarations = sourceFile.statements.flatMap(declarationsOf);
  const seen = new Set(declarations.map((d) => d.name));
  for (const name of root.names) {
    if (!seen.has(name)) declarations.push({ name, kind: "variable" }); // hoisted var
  }
  return declarations;
}

function bindingNames(name: ts.BindingName): string[] {
  if (tsApi.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((element) =>
    tsApi.isOmittedExpression(element) ? [] : bindingNames(element.name),
  );
}

// Type positions carry no runtime value: a name used only as a type creates no data dependency.
function isTypeOnly(node: ts.Node): boolean {
  return (
    tsApi.isTypeNode(node) ||
    tsApi.isInterfaceDeclaration(node) ||
    tsApi.isTypeAliasDeclaration(node) ||
    tsApi.isTypeParameterDeclaration(node) ||
    tsApi.isImportDeclaration(node) ||
    tsApi.isImportEqualsDeclaration(node) ||
    tsApi.isExportDeclaration(node)
  );
}

// An identifier refers to a binding unless it names a property, a declaration or a label.
function isValueReference(id: ts.Identifier): boolean {
  const parent = id.parent;
  if (tsApi.isShorthandPropertyAssignment(parent)) return parent.name === id;
  if ((parent as { name?: ts.Node }).name === id) return false;
  if ((parent as { propertyName?: ts.Node }).propertyName === id) return false;
  if (tsApi.isQualifiedName(parent) || tsApi.isMetaProperty(parent)) return false;
  if (
    (tsApi.isLabeledStatement(parent) ||
      tsApi.isBreakStatement(parent) ||
      tsApi.isContinueStatement(parent)) &&
    parent.label === id
  ) {
    return false;
  }
  return true;
}

function isAssignmentTarget(node: ts.Node): boolean {
  const parent = node.parent;
  if (!parent) return false;
  if (
    tsApi.isParenthesizedExpression(parent) ||
    tsApi.isNonNullExpression(parent) ||
    tsApi.isAsExpression(parent) ||
    tsApi.isSatisfiesExpression(parent) ||
    tsApi.isTypeAssertionExpression(parent) ||
    tsApi.isArrayLiteralExpression(parent) ||
    tsApi.isSpreadElement(parent) ||
    tsApi.isSpreadAssignment(parent)
  ) {
    return isAssignmentTarget(parent);
  }
  if (tsApi.isBinaryExpression(parent)) {
    const op = parent.operatorToken.kind;
    return (
      parent.left === node &&
      op >= tsApi.SyntaxKind.FirstAssignment &&
      op <= tsApi.SyntaxKind.LastAssignment
    );
  }
  if (tsApi.isPrefixUnaryExpression(parent) || tsApi.isPostfixUnaryExpression(parent)) {
    return (
      parent.operator === tsApi.SyntaxKind.PlusPlusToken ||
      parent.operator === tsApi.SyntaxKind.MinusMinusToken
    );
  }
  if (tsApi.isForInStatement(parent) || tsApi.isForOfStatement(parent)) {
    return parent.initializer === node;
  }
  if (tsApi.isShorthandPropertyAssignment(parent)) {
    return parent.name === node && isAssignmentTarget(parent.parent);
  }
  if (tsApi.isPropertyAssignment(parent)) {
    return parent.initializer === node && isAssignmentTarget(parent.parent);
  }
  if (tsApi.isObjectLiteralExpression(parent)) return isAssignmentTarget(parent);
  return false;
}

function firstNonDeclarative(sourceFile: ts.SourceFile): CellAnalysis["firstNonDeclarative"] {
  const offending = sourceFile.statements.find((s) => !isDeclarative(s));
  if (!offending) return undefined;
  const start = offending.getStart(sourceFile);
  const { line } = sourceFile.getLineAndCharacterOfPosition(start);
  const text = sourceFile.text.slice(start).split("\n")[0]?.trim() ?? "";
  return { line: line + 1, text };
}

function isDeclarative(statement: ts.Statement): boolean {
  if (
    tsApi.isImportDeclaration(statement) ||
    tsApi.isImportEqualsDeclaration(statement) ||
    tsApi.isFunctionDeclaration(statement) ||
    tsApi.isClassDeclaration(statement) ||
    tsApi.isInterfaceDeclaration(statement) ||
    tsApi.isTypeAliasDeclaration(statement) ||
    tsApi.isEnumDeclaration(statement) ||
    tsApi.isModuleDeclaration(statement) ||
    tsApi.isEmptyStatement(statement)
  ) {
    return true;
  }
  if (tsApi.isVariableStatement(statement)) {
    const list = statement.declarationList;
    return (
      (list.flags & tsApi.NodeFlags.Const) !== 0 &&
      list.declarations.every((d) => d.initializer && isDeclarativeInitializer(d.initializer))
    );
  }
  return false;
}

// What a shared `const` may hold: data written out in the source, a function or class, or a
// module (`require("x")`, `await import("x")`), since those are imports in another spelling.
function isDeclarativeInitializer(expr: ts.Expression): boolean {
  const e = unwrapExpression(expr);
  if (isLiteralExpression(e)) return true;
  if (tsApi.isArrowFunction(e) || tsApi.isFunctionExpression(e) || tsApi.isClassExpression(e))
    return true;
  const call = tsApi.isAwaitExpression(e) ? e.expression : e;
  if (tsApi.isCallExpression(call) && call.arguments.length === 1) {
    const arg = call.arguments[0];
    const isModuleCall =
      call.expression.kind === tsApi.SyntaxKind.ImportKeyword ||
      (tsApi.isIdentifier(call.expression) && call.expression.text === "require");
    return isModuleCall && arg !== undefined && tsApi.isStringLiteralLike(arg);
  }
  return false;
}

/**
 * Whether an expression is a literal value: string, number, boolean, null, or an array/object
 * literal of those (the shape params and shared constants may take).
 *
 * @example
 * ```ts
 * isLiteralExpression(parseCellSource("[1, { a: 'b' }]").statements[0].expression); // true
 * ```
 */
export function isLiteralExpression(expr: ts.Expression): boolean {
  const e = unwrapExpression(expr);
  if (
    tsApi.isStringLiteral(e) ||
    tsApi.isNoSubstitutionTemplateLiteral(e) ||
    tsApi.isNumericLiteral(e) ||
    e.kind === tsApi.SyntaxKind.TrueKeyword ||
    e.kind === tsApi.SyntaxKind.FalseKeyword ||
    e.kind === tsApi.SyntaxKind.NullKeyword
  ) {
    return true;
  }
  if (tsApi.isPrefixUnaryExpression(e)) {
    return (
      (e.operator === tsApi.SyntaxKind.MinusToken || e.operator === tsApi.SyntaxKind.PlusToken) &&
      tsApi.isNumericLiteral(e.operand)
    );
  }
  if (tsApi.isArrayLiteralExpression(e)) return e.elements.every(isLiteralExpression);
  if (tsApi.isObjectLiteralExpression(e)) {
    return e.properties.every(
      (p) =>
        tsApi.isPropertyAssignment(p) &&
        (tsApi.isIdentifier(p.name) ||
          tsApi.isStringLiteral(p.name) ||
          tsApi.isNumericLiteral(p.name)) &&
        isLiteralExpression(p.initializer),
    );
  }
  return false;
}

// The parser records syntax errors on the source file, but only a Program exposes them through
// the public API; a one-file Program without lib files costs a few milliseconds.
function syntaxErrorsOf(sourceFile: ts.SourceFile): CellSyntaxError[] {
  const host: ts.CompilerHost = {
    getSourceFile: (name) => (name === sourceFile.fileName ? sourceFile : undefined),
    getDefaultLibFileName: () => "lib.d.ts",
    writeFile: () => undefined,
    getCurrentDirectory: () => "/",
    getCanonicalFileName: (name) => name,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => "\n",
    fileExists: (name) => name === sourceFile.fileName,
    readFile: () => undefined,
  };
  const program = tsApi.createProgram({
    rootNames: [sourceFile.fileName],
    options: { noLib: true, noResolve: true, target: tsApi.ScriptTarget.ES2022 },
    host,
  });
  return program.getSyntacticDiagnostics(sourceFile).map((d) => {
    const pos = sourceFile.getLineAndCharacterOfPosition(d.start ?? 0);
    return {
      line: pos.line + 1,
      column: pos.character + 1,
      message: tsApi.flattenDiagnosticMessageText(d.messageText, "\n"),
    };
  });
}
