// SVG building for the graph. Like `widgets/elements.ts` for HTML: text always goes in as text
// nodes (step names and passed names come from the notebook, not trusted markup).

const SVG_NS = "http://www.w3.org/2000/svg";

/**
 * Creates an SVG element with attributes and children (strings become text).
 *
 * @example
 * ```ts
 * svgElement("text", { class: "jp-KilnGraph-nodeName", x: 14, y: 20 }, "train");
 * ```
 */
export function svgElement<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number>,
  ...children: (Node | string)[]
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  node.append(...children);
  return node;
}
