import type { HttpMethod, OpenApiDocument, OperationObject } from "./openapi-types";

const methods: readonly HttpMethod[] = ["get", "post", "put", "patch", "delete"];

const htmlEscapes: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => htmlEscapes[char] ?? char);
}

/** Inline `code` spans of the document's Markdown, the only Markdown it uses. */
const withCode = (text: string) => escapeHtml(text).replace(/`([^`]+)`/g, "<code>$1</code>");

type ListedOperation = { method: HttpMethod; path: string; operation: OperationObject };

/** Every operation of `document`, grouped by its first tag in the order of `document.tags`. */
export function operationsByTag(document: OpenApiDocument): Map<string, ListedOperation[]> {
  const groups = new Map<string, ListedOperation[]>(
    (document.tags ?? []).map((tag) => [tag.name, []]),
  );
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of methods) {
      const operation = item[method];
      if (!operation) continue;
      const tag = operation.tags?.[0] ?? "Other";
      groups.set(tag, [...(groups.get(tag) ?? []), { method, path, operation }]);
    }
  }
  return groups;
}

/**
 * A self-contained HTML page listing every operation of `document` (method, path, key scope,
 * summary, request and answer types), rendered on the server: no script, no CDN, so it works
 * offline.
 *
 * @example
 * c.html(renderDocsPage(kilnOpenApiDocument()));
 */
export function renderDocsPage(document: OpenApiDocument): string {
  const sections = [...operationsByTag(document)]
    .filter(([, operations]) => operations.length > 0)
    .map(([tag, operations]) => {
      const description = document.tags?.find((t) => t.name === tag)?.description;
      const rows = operations.map(({ method, path, operation }) => {
        const request = Object.keys(operation.requestBody?.content ?? {}).join(", ");
        const statuses = Object.keys(operation.responses).join(" ");
        return `<tr id="${escapeHtml(operation.operationId)}">
<td><span class="method ${method}">${method.toUpperCase()}</span></td>
<td><code>${escapeHtml(path)}</code>${operation["x-kiln-planned"] ? ' <span class="planned">planned</span>' : ""}</td>
<td class="scope-${operation["x-kiln-scope"]}">${operation["x-kiln-scope"]}</td>
<td>${withCode(operation.summary)}${operation.description ? `<br><small>${withCode(operation.description)}</small>` : ""}</td>
<td>${escapeHtml(request)}</td>
<td>${escapeHtml(statuses)}</td>
</tr>`;
      });
      return `<section>
<h2>${escapeHtml(tag)}</h2>
${description ? `<p>${withCode(description)}</p>` : ""}
<table>
<thead><tr><th>method</th><th>path</th><th>key</th><th>what it does</th><th>body</th><th>answers</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>
</section>`;
    });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(document.info.title)} API ${escapeHtml(document.info.version)}</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1.5rem; }
th, td { text-align: left; vertical-align: top; padding: 0.35rem 0.5rem; border-bottom: 1px solid #ddd; }
code { font: 13px ui-monospace, monospace; background: #f4f4f4; padding: 0 0.2rem; }
.method { font: bold 12px ui-monospace, monospace; padding: 0.1rem 0.35rem; border-radius: 3px; color: #fff; }
.get { background: #2f7d32; } .post { background: #1f5fa8; } .delete { background: #b3261e; }
.put, .patch { background: #8a5a00; }
.planned { font-size: 11px; color: #8a5a00; border: 1px solid #8a5a00; border-radius: 3px; padding: 0 0.25rem; }
.scope-admin { color: #b3261e; } .scope-predict { color: #1f5fa8; } .scope-none { color: #777; }
</style>
</head>
<body>
<h1>${escapeHtml(document.info.title)} API <small>${escapeHtml(document.info.version)}</small></h1>
<p>${withCode(document.info.description ?? "")}</p>
<p>Keys: send <code>Authorization: Bearer &lt;key&gt;</code> or <code>X-Kiln-Key: &lt;key&gt;</code>; an admin key also passes predict routes. The machine-readable document is <a href="openapi.json"><code>/openapi.json</code></a>.</p>
${sections.join("\n")}
</body>
</html>
`;
}
