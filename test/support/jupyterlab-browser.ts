// A real JupyterLab from .venv (with Kiln's extension as setup installed it) in Debian's Chromium,
// driven by puppeteer-core, for the extension's end-to-end tests. Each instance is hermetic: its
// own notebook folder, user settings and workspaces in a temporary folder, deleted on stop.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { startJupyterLab, type JupyterLab } from "../../server/src/jupyter";

/** Debian's package (setup installs it); puppeteer-core never downloads a browser of its own. */
const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
const WAIT_MS = 60_000;

type LabInBrowserOptions = {
  /** Notebooks to put in JupyterLab's root folder: file name → nbformat JSON. */
  notebooks: Record<string, string>;
  /** JupyterLab setting defaults by plugin id, e.g. the Kiln server URL of the extension. */
  settingDefaults?: Record<string, Record<string, unknown>>;
  /**
   * JupyterLab's root folder, when a Kiln server must see the same notebooks (its
   * `notebooksRoot`); a temporary folder by default. Left in place on stop.
   */
  notebookDir?: string;
};

/** A JupyterLab page in Chromium. */
export interface LabInBrowser {
  readonly page: Page;
  /** JupyterLab's root folder, where the notebooks are. */
  readonly notebookDir: string;
  /** Opens a notebook of the root folder and waits until its cells are shown. */
  openNotebook(name: string): Promise<void>;
  /** Opens the left-sidebar panel whose id is `panelId`. */
  openSidebarPanel(panelId: string): Promise<void>;
  /** Replaces the source of the open notebook's cell `index` (from 0) by typing `source`. */
  replaceCellSource(index: number, source: string): Promise<void>;
  /** The text of each element matching `selector`. */
  textsOf(selector: string): Promise<string[]>;
  /**
   * Waits until the elements matching `selector` show `expected` (strings, or a pattern for the
   * one element); fails saying what they showed instead, and what the browser logged as errors.
   */
  waitForTexts(selector: string, expected: string[] | RegExp): Promise<void>;
  /** Closes Chromium, stops JupyterLab and its kernels, and deletes the temporary folder. */
  stop(): Promise<void>;
}

/** Chromium could not start, or JupyterLab did not show what was waited for. */
export class LabInBrowserError extends Error {
  override readonly name = "LabInBrowserError";
}

/**
 * Starts JupyterLab on a free port and Chromium on its page.
 *
 * @example
 * const notebooks = { "a.ipynb": tslabNotebook(["// @kiln step=a"]) };
 * const lab = await startLabInBrowser({ notebooks });
 * await lab.openNotebook("a.ipynb");
 * await lab.stop();
 */
export async function startLabInBrowser(options: LabInBrowserOptions): Promise<LabInBrowser> {
  const dir = mkdtempSync(join(tmpdir(), "kiln-lab-e2e-"));
  const notebookDir = options.notebookDir ?? join(dir, "notebooks");
  mkdirSync(notebookDir, { recursive: true });
  for (const [name, json] of Object.entries(options.notebooks)) {
    writeFileSync(join(notebookDir, name), json);
  }
  let jupyter: JupyterLab | undefined;
  let browser: Browser | undefined;
  const cleanUp = async () => {
    // A browser that no longer answers cannot be closed politely: end its process instead.
    await browser?.close().catch(() => browser?.process()?.kill("SIGKILL"));
    await jupyter?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    jupyter = await startJupyterLab({
      notebookDir,
      stateDir: join(dir, "state"),
      env: {
        // The developer's own JupyterLab settings and layouts stay out of the test.
        JUPYTERLAB_SETTINGS_DIR: join(dir, "user-settings"),
        JUPYTERLAB_WORKSPACES_DIR: join(dir, "workspaces"),
      },
      settingDefaults: {
        // No news or update checks: no network, no notification over the page.
        "@jupyterlab/apputils-extension:notification": {
          fetchNews: "false",
          checkForUpdates: false,
        },
        ...options.settingDefaults,
      },
    });
    browser = await launchChromium();
    const page = await browser.newPage();
    const browserErrors: string[] = [];
    page.on("pageerror", (error) => browserErrors.push(String(error)));
    page.on("console", (message) => {
      if (message.type() === "error") browserErrors.push(message.text());
    });
    page.setDefaultTimeout(WAIT_MS);
    const lab = new URL(jupyter.url);
    return new PuppeteerLab(page, notebookDir, lab, browserErrors, cleanUp);
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

async function launchChromium(): Promise<Browser> {
  try {
    return await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
      defaultViewport: { width: 1280, height: 900 },
    });
  } catch (error) {
    throw new LabInBrowserError(
      `Chromium did not start from ${CHROMIUM} (${(error as Error).message}). ` +
        "Run `npm run setup`, which installs Debian's chromium package (as root).",
      { cause: error },
    );
  }
}

class PuppeteerLab implements LabInBrowser {
  constructor(
    readonly page: Page,
    readonly notebookDir: string,
    readonly lab: URL,
    readonly browserErrors: string[],
    readonly stop: () => Promise<void>,
  ) {}

  async openNotebook(name: string): Promise<void> {
    const url = new URL(`lab/tree/${encodeURIComponent(name)}`, this.lab);
    url.search = this.lab.search;
    await this.page.goto(url.href, { waitUntil: "domcontentloaded" });
    // The panel shows a spinner over a placeholder cell until the file is loaded.
    await this.page.waitForSelector(".jp-NotebookPanel");
    await this.page.waitForSelector(".jp-NotebookPanel .jp-Spinner", { hidden: true });
    await this.page.waitForSelector(".jp-NotebookPanel .jp-Notebook .jp-Cell .cm-content", {
      visible: true,
    });
  }

  async openSidebarPanel(panelId: string): Promise<void> {
    await this.page.click(`.jp-SideBar.jp-mod-left [data-id="${panelId}"]`);
    await this.page.waitForSelector(`#${panelId}`, { visible: true });
  }

  async replaceCellSource(index: number, source: string): Promise<void> {
    const editors = await this.page.$$(".jp-NotebookPanel .jp-Notebook .jp-Cell .cm-content");
    const editor = editors[index];
    if (!editor) {
      throw new LabInBrowserError(`The notebook has ${editors.length} cells, not ${index + 1}.`);
    }
    await editor.click();
    await this.page.keyboard.down("Control");
    await this.page.keyboard.press("a");
    await this.page.keyboard.up("Control");
    // One insertion, as a paste would: no auto-indent or completer on the way.
    await this.page.keyboard.sendCharacter(source);
  }

  textsOf(selector: string): Promise<string[]> {
    return this.page.$$eval(selector, (nodes) => nodes.map((node) => node.textContent ?? ""));
  }

  async waitForTexts(selector: string, expected: string[] | RegExp): Promise<void> {
    const deadline = Date.now() + WAIT_MS;
    let shown: string[] = [];
    while (Date.now() < deadline) {
      shown = await this.textsOf(selector);
      const matches = Array.isArray(expected)
        ? JSON.stringify(shown) === JSON.stringify(expected)
        : shown.length === 1 && expected.test(shown[0] ?? "");
      if (matches) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new LabInBrowserError(
      `Waited ${WAIT_MS / 1000} s for ${selector} to show ${String(
        Array.isArray(expected) ? JSON.stringify(expected) : expected,
      )}, but it shows ${JSON.stringify(shown)}.` +
        (this.browserErrors.length > 0
          ? `\nBrowser errors:\n${this.browserErrors.join("\n")}`
          : ""),
    );
  }
}
