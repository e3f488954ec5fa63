// Static analysis of one cell with the TypeScript compiler API: which top-level names it
// declares, which names it reads that it does not declare itself (free names), and which of
// those it assigns. Step grouping and name resolution are built on these three sets, the same way
// Kale does it for Python with its own parser.

import * as ts from "typescript";

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
    if (ts.isIdentifier(node)) {
      if (isValueReference(node) && !scope.resolves(node.text)) {
        reads.add(node.text);
        if (isAssignmentTarget(node)) assigns.add(node.text);
      }
      return;
    }
    // Heritage: `extends Base` reads a value; `implements Shape` is a type.
    if (ts.isHeritageClause(node)) {
      if (node.token === ts.SyntaxKind.ExtendsKeyword && ts.isClassLike(node.parent)) {
        for (const type of node.types) visit(type.expression, scope);
      }
      return;
    }
    // `f<number>` in an expression (an instantiation expression) still reads `f`.
    if (ts.isExpressionWithTypeArguments(node)) {
      visit(node.expression, scope);
      return;
    }
    if (isTypeOnly(node)) return;
    const inner = scopeFor(node, scope);
    ts.forEachChild(node, (child) => visit(child, inner));
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
  return ts.createSourceFile("cell.ts", source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
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
    ts.isParenthesizedExpression(current) ||
    ts.isAsExpression(current) ||
    ts.isSatisfiesExpression(current) ||
    ts.isTypeAssertionExpression(current)
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
  if (ts.isFunctionLike(node)) {
    const scope = new Scope(parent);
    if (ts.isFunctionExpression(node) && node.name) scope.names.add(node.name.text);
    if (!ts.isArrowFunction(node)) scope.names.add("arguments");
    for (const param of node.parameters) {
      for (const name of bindingNames(param.name)) scope.names.add(name);
    }
    const body = (node as ts.FunctionLikeDeclarationBase).body;
    if (body) hoistVars(body, scope);
    return scope;
  }
  if (ts.isBlock(node) || ts.isModuleBlock(node) || ts.isCaseBlock(node)) {
    const scope = new Scope(parent);
    const statements = ts.isCaseBlock(node)
      ? node.clauses.flatMap((clause) => [...clause.statements])
      : node.statements;
    declareStatements(statements, scope);
    return scope;
  }
  if (ts.isForStatement(node) || ts.isForInStatement(node) || ts.isForOfStatement(node)) {
    const scope = new Scope(parent);
    const init = node.initializer;
    if (init && ts.isVariableDeclarationList(init)) {
      for (const decl of init.declarations) {
        for (const name of bindingNames(decl.name)) scope.names.add(name);
      }
    }
    return scope;
  }
  if (ts.isCatchClause(node) && node.variableDeclaration) {
    const scope = new Scope(parent);
    for (const name of bindingNames(node.variableDeclaration.name)) scope.names.add(name);
    return scope;
  }
  if (ts.isClassExpression(node) && node.name) {
    const scope = new Scope(parent);
    scope.names.add(node.name.text);
    return scope;
  }
  if (ts.isEnumDeclaration(node)) {
    // Members may refer to earlier members by bare name.
    const scope = new Scope(parent);
    for (const member of node.members) {
      if (ts.isIdentifier(member.name)) scope.names.add(member.name.text);
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
    if (ts.isFunctionLike(n) || ts.isClassLike(n)) return;
    if (ts.isVariableDeclarationList(n) && !(n.flags & ts.NodeFlags.BlockScoped)) {
      for (const decl of n.declarations) {
        for (const name of bindingNames(decl.name)) scope.names.add(name);
      }
    }
    ts.forEachChild(n, walk);
  };
  ts.forEachChild(node, walk);
}

function declarationsOf(statement: ts.Statement): DeclaredName[] {
  if (ts.isVariableStatement(statement)) {
    return statement.declarationList.declarations.flatMap((decl) =>
      bindingNames(decl.name).map((name) => ({ name, kind: variableKind(decl) })),
    );
  }
  if (ts.isFunctionDeclaration(statement) && statement.name) {
    return [{ name: statement.name.text, kind: "function" }];
  }
  if (ts.isClassDeclaration(statement) && statement.name) {
    return [{ name: statement.name.text, kind: "class" }];
  }
  if (ts.isEnumDeclaration(statement)) return [{ name: statement.name.text, kind: "enum" }];
  if (ts.isModuleDeclaration(statement) && ts.isIdentifier(statement.name)) {
    return [{ name: statement.name.text, kind: "namespace" }];
  }
  if (ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement)) {
    return [{ name: statement.name.text, kind: "type" }];
  }
  if (ts.isImportEqualsDeclaration(statement)) {
    return [{ name: statement.name.text, kind: statement.isTypeOnly ? "type" : "import" }];
  }
  if (ts.isImportDeclaration(statement) && statement.importClause) {
    const clause = statement.importClause;
    const kindOf = (typeOnly: boolean): DeclarationKind =>
      clause.isTypeOnly || typeOnly ? "type" : "import";
    const names: DeclaredName[] = [];
    if (clause.name) names.push({ name: clause.name.text, kind: kindOf(false) });
    const bindings = clause.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings)) {
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
  if (init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))) return "function";
  if (init && ts.isClassExpression(init)) return "class";
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
  if (ts.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((element) =>
    ts.isOmittedExpression(element) ? [] : bindingNames(element.name),
  );
}

// Type positions carry no runtime value: a name used only as a type creates no data dependency.
function isTypeOnly(node: ts.Node): boolean {
  return (
    ts.isTypeNode(node) ||
    ts.isInterfaceDeclaration(node) ||
    ts.isTypeAliasDeclaration(node) ||
    ts.isTypeParameterDeclaration(node) ||
    ts.isImportDeclaration(node) ||
    ts.isImportEqualsDeclaration(node) ||
    ts.isExportDeclaration(node)
  );
}

// An identifier refers to a binding unless it names a property, a declaration or a label.
function isValueReference(id: ts.Identifier): boolean {
  const parent = id.parent;
  if (ts.isShorthandPropertyAssignment(parent)) return parent.name === id;
  if ((parent as { name?: ts.Node }).name === id) return false;
  if ((parent as { propertyName?: ts.Node }).propertyName === id) return false;
  if (ts.isQualifiedName(parent) || ts.isMetaProperty(parent)) return false;
  if (
    (ts.isLabeledStatement(parent) ||
      ts.isBreakStatement(parent) ||
      ts.isContinueStatement(parent)) &&
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
    ts.isParenthesizedExpression(parent) ||
    ts.isNonNullExpression(parent) ||
    ts.isAsExpression(parent) ||
    ts.isSatisfiesExpression(parent) ||
    ts.isTypeAssertionExpression(parent) ||
    ts.isArrayLiteralExpression(parent) ||
    ts.isSpreadElement(parent) ||
    ts.isSpreadAssignment(parent)
  ) {
    return isAssignmentTarget(parent);
  }
  if (ts.isBinaryExpression(parent)) {
    const op = parent.operatorToken.kind;
    return (
      parent.left === node &&
      op >= ts.SyntaxKind.FirstAssignment &&
      op <= ts.SyntaxKind.LastAssignment
    );
  }
  if (ts.isPrefixUnaryExpression(parent) || ts.isPostfixUnaryExpression(parent)) {
    return (
      parent.operator === ts.SyntaxKind.PlusPlusToken ||
      parent.operator === ts.SyntaxKind.MinusMinusToken
    );
  }
  if (ts.isForInStatement(parent) || ts.isForOfStatement(parent)) {
    return parent.initializer === node;
  }
  if (ts.isShorthandPropertyAssignment(parent)) {
    return parent.name === node && isAssignmentTarget(parent.parent);
  }
  if (ts.isPropertyAssignment(parent)) {
    return parent.initializer === node && isAssignmentTarget(parent.parent);
  }
  if (ts.isObjectLiteralExpression(parent)) return isAssignmentTarget(parent);
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
    ts.isImportDeclaration(statement) ||
    ts.isImportEqualsDeclaration(statement) ||
    ts.isFunctionDeclaration(statement) ||
    ts.isClassDeclaration(statement) ||
    ts.isInterfaceDeclaration(statement) ||
    ts.isTypeAliasDeclaration(statement) ||
    ts.isEnumDeclaration(statement) ||
    ts.isModuleDeclaration(statement) ||
    ts.isEmptyStatement(statement)
  ) {
    return true;
  }
  if (ts.isVariableStatement(statement)) {
    const list = statement.declarationList;
    return (
      (list.flags & ts.NodeFlags.Const) !== 0 &&
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
  if (ts.isArrowFunction(e) || ts.isFunctionExpression(e) || ts.isClassExpression(e)) return true;
  const call = ts.isAwaitExpression(e) ? e.expression : e;
  if (ts.isCallExpression(call) && call.arguments.length === 1) {
    const arg = call.arguments[0];
    const isModuleCall =
      call.expression.kind === ts.SyntaxKind.ImportKeyword ||
      (ts.isIdentifier(call.expression) && call.expression.text === "require");
    return isModuleCall && arg !== undefined && ts.isStringLiteralLike(arg);
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
    ts.isStringLiteral(e) ||
    ts.isNoSubstitutionTemplateLiteral(e) ||
    ts.isNumericLiteral(e) ||
    e.kind === ts.SyntaxKind.TrueKeyword ||
    e.kind === ts.SyntaxKind.FalseKeyword ||
    e.kind === ts.SyntaxKind.NullKeyword
  ) {
    return true;
  }
  if (ts.isPrefixUnaryExpression(e)) {
    return (
      (e.operator === ts.SyntaxKind.MinusToken || e.operator === ts.SyntaxKind.PlusToken) &&
      ts.isNumericLiteral(e.operand)
    );
  }
  if (ts.isArrayLiteralExpression(e)) return e.elements.every(isLiteralExpression);
  if (ts.isObjectLiteralExpression(e)) {
    return e.properties.every(
      (p) =>
        ts.isPropertyAssignment(p) &&
        (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name) || ts.isNumericLiteral(p.name)) &&
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
  const program = ts.createProgram({
    rootNames: [sourceFile.fileName],
    options: { noLib: true, noResolve: true, target: ts.ScriptTarget.ES2022 },
    host,
  });
  return program.getSyntacticDiagnostics(sourceFile).map((d) => {
    const pos = sourceFile.getLineAndCharacterOfPosition(d.start ?? 0);
    return {
      line: pos.line + 1,
      column: pos.character + 1,
      message: ts.flattenDiagnosticMessageText(d.messageText, "\n"),
    };
  });
}
