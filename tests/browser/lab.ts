/** What every browser test does with JupyterLab: open it, keep it offline, open the panel. */
import { expect, Locator, Page } from '@playwright/test';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const TOKEN = 'dlviz-browser-test';
export const ARTIFACTS = path.resolve(__dirname, '..', '..', 'artifacts', 'browser');
const ROOT = path.resolve(__dirname, '..', '..');
const PYTHON = process.env.DLVIZ_PYTHON || path.join(ROOT, '.venv', 'bin', 'python');

/**
 * Execute a notebook top to bottom with nbclient in a real kernel, in `folder` (the lesson's own
 * folder, for files it reads), and return its JSON with the outputs: what a student saves.
 */
export function executedNotebook(notebook: any, folder: string = os.tmpdir()): any {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dlviz-nb-'));
  const file = path.join(dir, 'executed.ipynb');
  fs.writeFileSync(file, JSON.stringify(notebook));
  const script = [
    'import sys, nbformat',
    'from nbclient import NotebookClient',
    'nb = nbformat.read(sys.argv[1], as_version=4)',
    'NotebookClient(nb, timeout=240, kernel_name="python3",',
    '               resources={"metadata": {"path": sys.argv[2]}}).execute()',
    'nbformat.write(nb, sys.argv[1])'
  ].join('\n');
  const answer = spawnSync(PYTHON, ['-c', script, file, folder], {
    encoding: 'utf-8',
    timeout: 300_000
  });
  expect(answer.status, answer.stderr).toBe(0);
  const executed = JSON.parse(fs.readFileSync(file, 'utf-8'));
  fs.rmSync(dir, { recursive: true, force: true });
  return executed;
}

/** Block every request that does not go to the Jupyter server under test, and remember it. */
export async function blockOtherHosts(page: Page, baseURL: string): Promise<string[]> {
  const allowed = new URL(baseURL).host;
  const blocked: string[] = [];
  await page.context().route('**/*', route => {
    const url = new URL(route.request().url());
    const local =
      url.host === allowed ||
      url.protocol === 'data:' ||
      url.protocol === 'blob:' ||
      url.href === 'about:srcdoc';
    if (local) {
      return route.continue();
    }
    blocked.push(url.href);
    return route.abort('blockedbyclient');
  });
  return blocked;
}

/** Open Lab on an empty workspace: tests share one server, not each other's open tabs. */
export async function openLab(page: Page): Promise<void> {
  await page.goto(`/lab?reset&token=${TOKEN}`);
  await page.locator('#jupyterlab-splash').waitFor({ state: 'detached', timeout: 120_000 });
  await expect(page.locator('.jp-LabShell')).toBeVisible();
}

/** Run a command from the palette; retried, since Lab moves the focus for a while after start. */
export async function runFromPalette(page: Page, label: string, done: () => Promise<void>) {
  const search = page.locator('.lm-CommandPalette-input');
  await expect(async () => {
    await page.keyboard.press('Control+Shift+C');
    await expect(search).toBeVisible({ timeout: 1000 });
    await search.fill(label, { timeout: 1000 });
    await page.keyboard.press('Enter');
    await done();
  }).toPass({ timeout: 60_000 });
}

export async function openPanelFromPalette(page: Page): Promise<void> {
  await runFromPalette(page, 'Open DL Viz panel', () =>
    expect(page.locator('#dlviz-lab-panel')).toBeVisible({ timeout: 2000 })
  );
}

/**
 * Set JupyterLab's language (the translation extension's `locale` setting: 'pt_BR', 'es_ES', 'en')
 * through the settings REST API; it applies from the next page load.
 */
export async function setLabLanguage(page: Page, locale: string): Promise<void> {
  const answer = await page.request.put(
    '/lab/api/settings/@jupyterlab/translation-extension:plugin',
    {
      headers: { Authorization: `token ${TOKEN}` },
      data: { raw: JSON.stringify({ locale }) }
    }
  );
  expect(answer.status(), await answer.text()).toBeLessThan(300);
}

/** Open the DL Viz panel from its tab in the right sidebar (works in any language). */
export async function openPanelFromSidebar(page: Page): Promise<void> {
  const panel = page.locator('#dlviz-lab-panel');
  await expect(async () => {
    if (!(await panel.isVisible())) {
      await page.locator('.jp-SideBar [data-id="dlviz-lab-panel"]').click({ timeout: 2000 });
    }
    await expect(panel).toBeVisible({ timeout: 2000 });
  }).toPass({ timeout: 60_000 });
}

/**
 * Press an MLP playground's Play / Pause button until it is `wanted` ('playing', or 'idle': paused
 * and nothing running). A run can end between a look at the button and the click, and the click
 * then does the opposite (Play instead of Pause): so look again after each click.
 */
export async function playgroundTo(view: Locator, wanted: 'playing' | 'idle'): Promise<void> {
  const controls = view.locator('.dlviz-mlp-controls');
  await expect(async () => {
    const state = await controls.getAttribute('data-state');
    if (state === (wanted === 'playing' ? 'idle' : 'playing')) {
      await view.getByTestId('dlviz-mlp-play').click();
    }
    await expect(controls).toHaveAttribute('data-state', wanted, {
      timeout: wanted === 'playing' ? 2000 : 10_000
    });
  }).toPass({ timeout: 60_000 });
}

/** Number of distinct colours on a canvas (1: blank or one flat colour), counted up to 50. */
export async function colours(canvas: Locator): Promise<number> {
  return canvas.evaluate((c: HTMLCanvasElement) => {
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set<number>();
    for (let i = 0; i < data.length && seen.size < 50; i += 4) {
      seen.add((data[i] << 24) | (data[i + 1] << 16) | (data[i + 2] << 8) | data[i + 3]);
    }
    return seen.size;
  });
}
