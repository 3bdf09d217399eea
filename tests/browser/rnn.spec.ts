import { expect, Locator, Page, test } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';
import { ARTIFACTS, blockOtherHosts, openLab, openPanelFromPalette, runFromPalette } from './lab';

async function updates(heatmap: Locator): Promise<number> {
  return Number(await heatmap.getAttribute('data-updated'));
}

/** Drag across the heat map from one step to another (pixels of its canvas). */
async function brush(page: Page, canvas: Locator, from: number, to: number, cell: number) {
  await canvas.scrollIntoViewIfNeeded();
  const box = (await canvas.boundingBox())!;
  // The bottom rows: the sticky toolbar may cover the top of a canvas scrolled into view.
  const y = box.y + box.height - 4;
  await page.mouse.move(box.x + from * cell + cell / 2, y);
  await page.mouse.down();
  await page.mouse.move(box.x + to * cell + cell / 2, y, { steps: 8 });
  await page.mouse.up();
}

test('rnn.train shows live curves, then the RNN explorer: heat map, predictions, units, typed text, export, reload', async ({
  page,
  baseURL
}) => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const blocked = await blockOtherHosts(page, baseURL!);
  await openLab(page);
  await openPanelFromPalette(page);

  // A character model that trains in seconds on 2 cores: nested brackets, 40 steps.
  const panel = page.locator('#dlviz-lab-panel');
  await panel.getByTestId('dlviz-task').selectOption('rnn.train');
  // The selects show each choice's label (x-enum-labels); brackets is the synthetic default.
  await panel.locator('select[id$="data_source"]').selectOption({ index: 2 });
  await expect(panel.locator('select[id$="data_synthetic"]')).toHaveValue(/0|brackets/);
  await panel.locator('input[id$="data_samples"]').fill('400');
  await panel.locator('input[id$="data_sequence_length"]').fill('40');
  await panel.locator('input[id$="model_hidden_size"]').fill('32');
  await panel.locator('input[id$="training_epochs"]').fill('4');
  await panel.getByTestId('dlviz-run').click();

  // The monitor draws the loss as the epochs finish.
  const monitor = page.locator('.dlviz-monitor').first();
  await expect(monitor).toBeVisible({ timeout: 30_000 });
  const chart = monitor.getByTestId('dlviz-loss-chart');
  const content = monitor.locator('.dlviz-monitor-content');
  const seenWhileRunning = new Set<number>();
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    const status = await content.getAttribute('data-status');
    if (status === 'running') {
      seenWhileRunning.add(Number(await chart.getAttribute('data-points')));
    }
    if (status === 'succeeded' || status === 'failed' || status === 'cancelled') {
      break;
    }
    await page.waitForTimeout(100);
  }
  // The curve grew while the run was still going (live, not drawn once at the end).
  expect(
    [...seenWhileRunning].filter(n => n > 0 && n < 4),
    `points drawn while running: ${[...seenWhileRunning].join(', ')}`
  ).not.toEqual([]);
  await expect(panel.getByTestId('dlviz-status')).toContainText('succeeded', { timeout: 60_000 });
  await expect(chart).toHaveAttribute('data-points', '4');
  await page.screenshot({ path: path.join(ARTIFACTS, 'rnn-monitor.png') });

  // The explorer: a heat map of 32 units × 40 steps from an rnn.inspect on the run's kernel.
  const view = page.locator('.dlviz-rnn-view').first();
  await expect(view).toBeVisible({ timeout: 60_000 });
  const heatmap = view.getByTestId('dlviz-rnn-heatmap');
  await expect(heatmap).toHaveAttribute('data-updated', /^[1-9]\d*$/);
  const host = heatmap.locator('.dlviz-rnn-map-host');
  await expect(host).toHaveAttribute('data-units', '32');
  await expect(host).toHaveAttribute('data-steps', '40');
  const canvas = view.getByTestId('dlviz-rnn-heatmap-canvas');
  await expect(canvas).toBeVisible();
  // LSTM: four gate maps, three sigmoid gates in the saturation scatter, 32 points each.
  await expect(view.locator('[data-testid^="dlviz-rnn-gate-"]')).toHaveCount(4);
  await expect(view.getByTestId('dlviz-rnn-scatter-forget')).toHaveAttribute('data-points', '32');
  await page.screenshot({ path: path.join(ARTIFACTS, 'rnn-explorer.png') });

  // A click picks unit and step; the formula shows that unit's numbers.
  const box = (await canvas.boundingBox())!;
  await page.mouse.click(box.x + 5 * 16 + 8, box.y + 3 * 7 + 3);
  await expect(heatmap).toHaveAttribute('data-step', '5');
  await expect(view.getByTestId('dlviz-rnn-hidden-formula')).toContainText(
    /h_t = o_t·tanh\(c_t\) = −?\d\.\d\d·tanh\(−?\d\.\d\d\) = −?\d\.\d\d/
  );

  // Hovering a character shows the predictions after it (3 characters in this vocabulary).
  const chars = view.getByTestId('dlviz-rnn-text').locator('.dlviz-rnn-char');
  await expect(chars).toHaveCount(40);
  await chars.nth(7).hover();
  const hover = view.getByTestId('dlviz-rnn-hover');
  await expect(hover).toContainText('After step 7');
  await expect(hover.locator('.dlviz-bar-row')).toHaveCount(3);
  await page.screenshot({ path: path.join(ARTIFACTS, 'rnn-hover.png') });

  // Brush steps 2..6, find the units on there, jump to a match.
  await brush(page, canvas, 2, 6, 16);
  const units = view.getByTestId('dlviz-rnn-units');
  await expect(units.locator('.dlviz-rnn-span')).toContainText('steps 2 to 6');
  await units.locator('.dlviz-rnn-threshold').fill('0');
  await units.getByTestId('dlviz-rnn-find').click();
  await expect(units.getByTestId('dlviz-rnn-units-status')).toContainText(/units on across/, {
    timeout: 60_000
  });
  const matches = units.getByTestId('dlviz-rnn-matches').locator('.dlviz-rnn-match');
  expect(await matches.count()).toBeGreaterThan(0);
  await page.screenshot({ path: path.join(ARTIFACTS, 'rnn-units.png') });
  const beforeJump = await updates(heatmap);
  await matches.first().click();
  await expect.poll(() => updates(heatmap), { timeout: 60_000 }).toBeGreaterThan(beforeJump);
  await expect(heatmap.locator('.dlviz-rnn-mark-match')).toHaveCount(1);
  await expect(view.locator('.dlviz-rnn-char-match').first()).toBeVisible();

  // Typed text is read on the same kernel and redrawn.
  const beforeText = await updates(heatmap);
  await view.getByTestId('dlviz-rnn-text-input').fill('((a)(a(a)))a');
  await view.getByTestId('dlviz-rnn-read').click();
  await expect.poll(() => updates(heatmap), { timeout: 60_000 }).toBeGreaterThan(beforeText);
  await expect(host).toHaveAttribute('data-steps', '12');
  await expect(chars).toHaveCount(12);
  await page.screenshot({ path: path.join(ARTIFACTS, 'rnn-typed.png') });

  // The epoch slider: before training, asked again.
  const slider = view.getByTestId('dlviz-epoch-slider');
  const beforeEpoch = await updates(heatmap);
  await slider.fill('0');
  await expect(view.locator('.dlviz-slider-label')).toContainText('before training');
  await expect.poll(() => updates(heatmap), { timeout: 60_000 }).toBeGreaterThan(beforeEpoch);

  // Downloads: a PNG of the heat map and an offline HTML copy.
  const [png] = await Promise.all([
    page.waitForEvent('download'),
    view.getByTestId('dlviz-download-png').click()
  ]);
  expect(png.suggestedFilename()).toMatch(/\.png$/);
  const pngPath = path.join(ARTIFACTS, 'rnn-export.png');
  await png.saveAs(pngPath);
  expect(fs.readFileSync(pngPath).subarray(1, 4).toString()).toBe('PNG');
  const [html] = await Promise.all([
    page.waitForEvent('download'),
    view.getByTestId('dlviz-download-html').click()
  ]);
  const htmlPath = path.join(ARTIFACTS, 'rnn-export.html');
  await html.saveAs(htmlPath);
  const doc = fs.readFileSync(htmlPath, 'utf8');
  expect(doc).toContain('RNN explorer');
  expect(doc).toMatch(/<img[^>]+src="data:image\/png;base64,/);
  expect(doc).not.toMatch(/<script/i);

  // The dark theme.
  await runFromPalette(page, 'Use Theme: JupyterLab Dark', () =>
    expect(page.locator('body')).toHaveAttribute('data-jp-theme-light', 'false', { timeout: 5000 })
  );
  await page.waitForTimeout(500);
  await page.screenshot({ path: path.join(ARTIFACTS, 'rnn-explorer-dark.png') });
  await runFromPalette(page, 'Use Theme: JupyterLab Light', () =>
    expect(page.locator('body')).toHaveAttribute('data-jp-theme-light', 'true', { timeout: 5000 })
  );

  // Restored after a reload, drawn again from the kernel.
  await page.reload();
  await page.locator('#jupyterlab-splash').waitFor({ state: 'detached', timeout: 120_000 });
  await expect(page.locator('.dlviz-rnn-view')).toHaveCount(1);
  await expect(page.locator('.dlviz-rnn-view [data-testid="dlviz-rnn-heatmap"]')).toHaveAttribute(
    'data-updated',
    '1',
    { timeout: 60_000 }
  );

  expect(blocked, `requests that tried to leave the Jupyter server: ${blocked.join(', ')}`).toEqual(
    []
  );
});

test('rnn.compare puts RNN, LSTM and GRU side by side, and opens one in the RNN explorer', async ({
  page,
  baseURL
}) => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const blocked = await blockOtherHosts(page, baseURL!);
  await openLab(page);
  await openPanelFromPalette(page);
  const panel = page.locator('#dlviz-lab-panel');
  await panel.getByTestId('dlviz-task').selectOption('rnn.compare');
  await panel.locator('select[id$="data_source"]').selectOption({ index: 2 });
  await panel.locator('input[id$="data_samples"]').fill('200');
  await panel.locator('input[id$="data_sequence_length"]').fill('20');
  await panel.locator('input[id$="model_hidden_size"]').fill('16');
  await panel.locator('input[id$="training_epochs"]').fill('2');
  await panel.getByTestId('dlviz-run').click();
  await expect(panel.getByTestId('dlviz-status')).toContainText('succeeded', { timeout: 180_000 });

  const view = page.locator('.dlviz-rnn-compare-view').first();
  await expect(view).toBeVisible({ timeout: 60_000 });
  await expect(
    view.getByTestId('dlviz-rnn-compare-loss').locator('path.dlviz-chart-line')
  ).toHaveCount(3);
  const cells = view.locator('.dlviz-rnn-compare-cell');
  await expect(cells).toHaveCount(3);
  await expect(cells.nth(0)).toHaveAttribute('data-cell', 'rnn');
  await expect(cells.nth(1).locator('rect')).toHaveCount(20);
  await page.screenshot({ path: path.join(ARTIFACTS, 'rnn-compare.png') });
  const [png] = await Promise.all([
    page.waitForEvent('download'),
    view.getByTestId('dlviz-download-png').click()
  ]);
  expect(png.suggestedFilename()).toMatch(/\.png$/);

  // The LSTM's model, inspected on the same kernel, in the RNN explorer.
  await view
    .locator('.dlviz-rnn-compare-table tr', { hasText: 'LSTM' })
    .getByRole('button')
    .click();
  const explorer = page.locator('.dlviz-rnn-view').first();
  await expect(explorer).toBeVisible({ timeout: 60_000 });
  await expect(explorer.getByTestId('dlviz-rnn-heatmap')).toHaveAttribute('data-updated', '1');
  await expect(explorer.locator('.dlviz-rnn-map-host').first()).toHaveAttribute('data-units', '16');
  await expect(explorer.locator('[data-testid^="dlviz-rnn-gate-"]')).toHaveCount(4);

  expect(blocked, `requests that tried to leave the Jupyter server: ${blocked.join(', ')}`).toEqual(
    []
  );
});
