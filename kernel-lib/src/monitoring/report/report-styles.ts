/**
 * The report's stylesheet. Every rule is scoped to `div.kiln-report`, so the fragment can sit in
 * a JupyterLab output cell without restyling the notebook; the `div.` prefix also outweighs
 * JupyterLab's own output styles (`.jp-RenderedHTMLCommon table`, striped rows), and the report
 * sets its own colours, so it reads the same on a dark theme. Charts carry their colours as SVG
 * attributes and need none of this.
 *
 * @example
 * ```ts
 * `<div class="kiln-report"><style>${REPORT_CSS}</style>…</div>`;
 * ```
 */
const rules: Record<string, string> = {
  "": "font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;font-size:14px;line-height:1.45;color:#1f2328;background:#fff;padding:16px 20px;max-width:1200px;box-sizing:border-box;text-align:left",
  " *": "box-sizing:border-box",
  " h1": "font-size:20px;font-weight:600;margin:0 0 6px;color:#1f2328;border:none;padding:0",
  " h2":
    "font-size:17px;font-weight:600;margin:0 0 10px;padding:0 0 4px;color:#1f2328;border-bottom:1px solid #e5e7eb",
  " h3": "font-size:14px;font-weight:600;margin:12px 0 4px;color:#1f2328",
  " .card h3": "margin-top:0",
  " p": "margin:4px 0",
  " section": "margin:24px 0 0",
  " header": "padding-bottom:8px;border-bottom:2px solid #e5e7eb",
  " .status": "display:flex;flex-wrap:wrap;gap:6px 14px;margin-top:6px;font-size:13px",
  " .badge":
    "display:inline-block;padding:1px 8px;border-radius:10px;font-size:11px;font-weight:600;letter-spacing:.03em;vertical-align:middle;white-space:nowrap",
  " .badge-ok": "background:#dcfce7;color:#166534",
  " .badge-bad": "background:#fee2e2;color:#991b1b",
  " .badge-warn": "background:#fef3c7;color:#92400e",
  " .badge-neutral": "background:#f3f4f6;color:#374151",
  " .facts":
    "display:flex;flex-wrap:wrap;gap:2px 16px;font-size:12px;color:#57606a;margin:4px 0 8px",
  " .facts b": "color:#1f2328;font-weight:600",
  " .note": "color:#57606a;font-style:italic",
  " .hint": "color:#8c959f;font-size:11px",
  " .muted": "color:#8c959f;font-size:12px",
  " .error": "color:#991b1b",
  " code":
    "font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;background:#f6f8fa;color:#1f2328;padding:0 3px;border-radius:3px",
  " .cards":
    "display:grid;grid-template-columns:repeat(auto-fill,minmax(min(420px,100%),1fr));gap:12px;margin-top:12px",
  " .card": "border:1px solid #e5e7eb;border-radius:8px;padding:10px 12px;background:#fff",
  " .card.drifted": "border-left:4px solid #d62728",
  " .dims":
    "display:grid;grid-template-columns:repeat(auto-fill,minmax(140px,1fr));gap:8px;margin:8px 0 12px",
  " .dim": "border:1px solid #e5e7eb;border-radius:8px;padding:6px 10px",
  " .dim-ok": "border-top:3px solid #16a34a",
  " .dim-bad": "border-top:3px solid #d62728",
  " .dim-neutral": "border-top:3px solid #d1d5db",
  " .dim-name": "font-size:12px;color:#57606a",
  " .dim .score": "font-size:20px;font-weight:600",
  " .table-wrap": "overflow-x:auto;margin:8px 0",
  " table":
    "border-collapse:collapse;border:none;width:100%;table-layout:auto;margin:0;font-size:13px;color:#1f2328",
  " th":
    "text-align:left;font-weight:600;padding:4px 8px;border:none;border-bottom:1px solid #d1d5db;background:#f6f8fa;white-space:nowrap",
  " td":
    "text-align:left;padding:4px 8px;border:none;border-bottom:1px solid #eef0f2;vertical-align:top",
  " th.num, div.kiln-report td.num":
    "text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap",
  " td.nowrap": "white-space:nowrap",
  " tbody tr, div.kiln-report tbody tr:nth-child(odd), div.kiln-report tbody tr:hover":
    "background:transparent",
  " svg": "display:block;max-width:100%;height:auto",
  " footer": "margin-top:24px;font-size:11px;color:#8c959f",
};

/** The report's CSS, every rule under `div.kiln-report`. */
export const REPORT_CSS = Object.entries(rules)
  .map(([selector, declarations]) => `div.kiln-report${selector}{${declarations}}`)
  .join("\n");
