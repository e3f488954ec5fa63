// DOM building for the extension's widgets. Text always goes in as text nodes, never as HTML:
// cell sources and server answers are not trusted markup.

/**
 * Creates an element with a class and children (strings become text).
 *
 * @example
 * ```ts
 * element("li", "jp-KilnCellList-item", element("span", "jp-KilnCellList-name", "train"));
 * ```
 */
export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  node.append(...children);
  return node;
}

/**
 * Renders a message in which `backticks` mark code, as text and `<code>` elements.
 *
 * @example
 * ```ts
 * paragraph.append(...textWithCode("Start it with `kiln serve`."));
 * ```
 */
export function textWithCode(text: string): (Node | string)[] {
  return text
    .split("`")
    .map((part, i) => (i % 2 === 1 ? element("code", "", part) : part))
    .filter((part) => part !== "");
}
