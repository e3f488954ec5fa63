// The Kiln icon, on the panel's sidebar tab.

import { LabIcon } from "@jupyterlab/ui-components";

// A kiln: a vaulted chamber with a fire opening; `jp-icon3` lets the themes recolour it.
const KILN_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <path class="jp-icon3" fill="#616161" d="M4 21V11a8 8 0 0 1 16 0v10h-2v-9.9a6 6 0 0 0-12 0V21Zm5 0v-4a3 3 0 0 1 6 0v4Z"/>
</svg>`;

/** The Kiln logo as a JupyterLab icon. */
export const kilnIcon = new LabIcon({ name: "kiln:logo", svgstr: KILN_SVG });
