import { expect, test } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';
import {
  ARTIFACTS,
  blockOtherHosts,
  openLab,
  openPanelFromPalette,
  runFromPalette,
  TOKEN
} from './lab';

test('the panel runs transformer.attention and docks an offline BertViz head view', async ({
  page,
  baseURL
}) => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const blocked = await blockOtherHosts(page, baseURL!);
  await openLab(page);
  await openPanelFromPalette(page);

  const panel = page.locator('#dlviz-lab-panel');
  await expect(panel.getByTestId('dlviz-task')).toHaveValue('transformer.attention');
  // The form is drawn from the task's JSON Schema: its default text is in the text field.
  await expect(panel.locator('textarea, input[type="text"]').first()).toHaveValue(/cat/);

  await panel.getByTestId('dlviz-run').click();
  await expect(panel.getByTestId('dlviz-status')).toContainText('succeeded', { timeout: 180_000 });

  const view = page.locator('.dlviz-view').first();
  await expect(view).toBeVisible();
  const frameElement = view.locator('iframe.dlviz-view-frame');
  await expect(frameElement).toHaveAttribute('sandbox', 'allow-scripts');

  // BertViz draws one text element per token on each side; the default text has "cat" in it.
  const frame = frameElement.contentFrame();
  const tokens = frame.locator('#vis svg text');
  await expect(tokens.filter({ hasText: /^cat$/ }).first()).toBeVisible();
  const count = await tokens.count();
  expect(count).toBeGreaterThan(10);
  // Layer selector filled by BertViz with MiniLM's 6 layers.
  await expect(frame.locator('#layer option')).toHaveCount(6);

  await page.screenshot({ path: path.join(ARTIFACTS, 'head-view.png') });

  // The docked view comes back after a page reload.
  await page.reload();
  await page.locator('#jupyterlab-splash').waitFor({ state: 'detached', timeout: 120_000 });
  const restored = page.locator('.dlviz-view iframe.dlviz-view-frame').first().contentFrame();
  await expect(
    restored.locator('#vis svg text').filter({ hasText: /^cat$/ }).first()
  ).toBeVisible();
  await page.screenshot({ path: path.join(ARTIFACTS, 'head-view-after-reload.png') });

  expect(blocked, `requests that tried to leave the Jupyter server: ${blocked.join(', ')}`).toEqual(
    []
  );
});

test('a field out of range is refused inline and nothing runs', async ({ page }) => {
  await openLab(page);
  await openPanelFromPalette(page);
  const panel = page.locator('#dlviz-lab-panel');
  const before = await (await page.request.get(`/dlviz-lab/api/runs?token=${TOKEN}`)).json();

  const maxTokens = panel.locator('input[type="number"]').first();
  await maxTokens.fill('9999');
  await panel.getByTestId('dlviz-run').click();
  await expect(panel.getByText(/max_tokens|512/).first()).toBeVisible();

  const after = await (await page.request.get(`/dlviz-lab/api/runs?token=${TOKEN}`)).json();
  expect(after.length ?? after.runs?.length).toBe(before.length ?? before.runs?.length);
});

test("a run in the notebook's kernel docks its view split-right of the notebook", async ({
  page
}) => {
  await openLab(page);
  await page.locator('.jp-DirListing-item', { hasText: 'welcome.ipynb' }).dblclick();
  const notebook = page.locator('.jp-NotebookPanel').first();
  await expect(notebook).toBeVisible();
  await openPanelFromPalette(page);

  const panel = page.locator('#dlviz-lab-panel');
  const kernel = panel.getByTestId('dlviz-kernel');
  await expect(kernel.locator('option[value="notebook"]')).toHaveText(/welcome\.ipynb/);
  await kernel.selectOption('notebook');
  await panel.locator('textarea').first().fill('Students learn attention by looking at it.');
  await panel.getByTestId('dlviz-run').click();
  await expect(panel.getByTestId('dlviz-status')).toContainText('succeeded', { timeout: 180_000 });

  // The run went to the notebook's own kernel, not the scratch kernel.
  const sessions = await (await page.request.get(`/api/sessions?token=${TOKEN}`)).json();
  const session = sessions.find((s: any) => s.path.endsWith('welcome.ipynb'));
  const { runs } = await (await page.request.get(`/dlviz-lab/api/runs?token=${TOKEN}`)).json();
  expect(runs[0].kernel_id).toBe(session.kernel.id);

  const view = page.locator(`#dlviz-view-${runs[0].id}`);
  await expect(view).toBeVisible();
  const frame = view.locator('iframe.dlviz-view-frame').contentFrame();
  await expect(
    frame
      .locator('#vis svg text')
      .filter({ hasText: /^attention$/ })
      .first()
  ).toBeVisible();
  const notebookBox = (await notebook.boundingBox())!;
  const viewBox = (await view.boundingBox())!;
  expect(viewBox.x).toBeGreaterThanOrEqual(notebookBox.x + notebookBox.width - 5);
  await page.screenshot({ path: path.join(ARTIFACTS, 'head-view-beside-notebook.png') });
});

test('the welcome notebook runs top to bottom, its client cell included', async ({ page }) => {
  await openLab(page);
  await page.locator('.jp-DirListing-item', { hasText: 'welcome.ipynb' }).dblclick();
  const notebook = page.locator('.jp-NotebookPanel').first();
  await expect(notebook).toBeVisible();
  await notebook.locator('.jp-Cell').first().click();
  await runFromPalette(page, 'Run All Cells', () =>
    expect(notebook.locator('.jp-OutputArea-output').first()).toBeVisible({ timeout: 3000 })
  );
  // The client cell prints the attention's shape for MiniLM: 6 layers, 12 heads.
  await expect(notebook.locator('.jp-OutputArea-output', { hasText: '(6, 12,' })).toBeVisible({
    timeout: 180_000
  });
  await expect(notebook.locator('.jp-OutputArea-output', { hasText: /^\s*67\s*$/ })).toBeVisible();
  await expect(
    notebook.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
  ).toHaveCount(0);
});
