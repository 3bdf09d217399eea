import { expect, Locator, Page, test } from '@playwright/test';
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

async function updates(maps: Locator): Promise<number> {
  return Number(await maps.getAttribute('data-updated'));
}

/** Draw strokes on a canvas with the mouse: points are fractions of its width and height. */
async function drawStrokes(
  page: Page,
  canvas: Locator,
  strokes: [number, number][][]
): Promise<void> {
  const box = (await canvas.boundingBox())!;
  for (const stroke of strokes) {
    const at = ([x, y]: [number, number]) =>
      [box.x + x * box.width, box.y + y * box.height] as const;
    await page.mouse.move(...at(stroke[0]));
    await page.mouse.down();
    for (const point of stroke.slice(1)) {
      await page.mouse.move(...at(point), { steps: 6 });
    }
    await page.mouse.up();
  }
}

test('cnn.train shows live curves, then docks filters and feature maps that follow a drawing', async ({
  page,
  baseURL
}) => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const blocked = await blockOtherHosts(page, baseURL!);
  await openLab(page);
  await openPanelFromPalette(page);

  const panel = page.locator('#dlviz-lab-panel');
  await panel.getByTestId('dlviz-task').selectOption('cnn.train');
  await panel.getByTestId('dlviz-run').click();

  // The monitor opens as soon as the run starts; its loss chart gains a point per finished epoch.
  const monitor = page.locator('.dlviz-monitor').first();
  await expect(monitor).toBeVisible({ timeout: 30_000 });
  const chart = monitor.getByTestId('dlviz-loss-chart');
  const content = monitor.locator('.dlviz-monitor-content');
  const seenWhileRunning = new Set<number>();
  let shot = false;
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    const status = await content.getAttribute('data-status');
    const points = Number(await chart.getAttribute('data-points'));
    if (status === 'running') {
      seenWhileRunning.add(points);
      if (points >= 2 && !shot) {
        await page.screenshot({ path: path.join(ARTIFACTS, 'cnn-monitor-training.png') });
        shot = true;
      }
    }
    if (status === 'succeeded' || status === 'failed' || status === 'cancelled') {
      break;
    }
    await page.waitForTimeout(100);
  }
  await expect(content).toHaveAttribute('data-status', 'succeeded');
  const running = [...seenWhileRunning].filter(n => n > 0).sort((a, b) => a - b);
  expect(
    running.length,
    `epochs drawn while running: ${[...seenWhileRunning].join(', ')}`
  ).toBeGreaterThanOrEqual(2);
  expect(running[running.length - 1]).toBeGreaterThan(running[0]);
  // The default run trains 8 epochs: 8 points in the end.
  await expect(chart).toHaveAttribute('data-points', '8');
  await expect(panel.getByTestId('dlviz-status')).toContainText('succeeded');

  // Then the CNN explorer is docked with filters and feature maps.
  const view = page.locator('.dlviz-cnn-view').first();
  await expect(view).toBeVisible({ timeout: 60_000 });
  const filters = view.getByTestId('dlviz-filters');
  const maps = view.getByTestId('dlviz-feature-maps');
  await expect(filters.locator('canvas').first()).toBeVisible();
  // Two conv layers of 16 and 32 filters.
  await expect(filters.locator('canvas.dlviz-filter')).toHaveCount(48);
  await expect(maps).toHaveAttribute('data-updated', /^[1-9]\d*$/);
  expect(await maps.locator('canvas').count()).toBeGreaterThan(48);
  await expect(view.getByTestId('dlviz-predictions').locator('.dlviz-bar-row')).toHaveCount(10);
  await page.screenshot({ path: path.join(ARTIFACTS, 'cnn-explorer.png') });

  // Drawing a digit posts a cnn.inspect run; its result redraws the feature maps.
  const before = await updates(maps);
  const canvas = view.getByTestId('dlviz-draw-canvas');
  await canvas.scrollIntoViewIfNeeded();
  await drawStrokes(page, canvas, [
    [
      [0.3, 0.2],
      [0.7, 0.2],
      [0.45, 0.85]
    ]
  ]);
  await expect.poll(() => updates(maps), { timeout: 60_000 }).toBeGreaterThan(before);
  await expect(view.getByTestId('dlviz-predictions')).toContainText(/The model answers/);
  await page.screenshot({ path: path.join(ARTIFACTS, 'cnn-explorer-drawing.png') });

  // Every section, one screenshot each (the navigation chips scroll to them).
  const sections: [string, string][] = [
    ['Feature maps', 'feature-maps'],
    ['Filters', 'filters'],
    ['Saliency and Grad-CAM', 'saliency'],
    ['Confusion matrix', 'confusion'],
    ['Filter selectivity', 'selectivity'],
    ['Model summary', 'summary']
  ];
  for (const [title, file] of sections) {
    await view.locator('.dlviz-chip', { hasText: title }).click();
    await page.waitForTimeout(700);
    await page.screenshot({ path: path.join(ARTIFACTS, `cnn-section-${file}.png`) });
  }
  await view.locator('.dlviz-chip', { hasText: 'Input' }).click();

  // The epoch slider: before training the filters are random and the kernel is asked again.
  const slider = view.getByTestId('dlviz-epoch-slider');
  await expect(slider).toHaveAttribute('max', '8');
  const beforeEpoch = await updates(maps);
  await slider.fill('0');
  await expect(view.locator('.dlviz-slider-label')).toContainText('before training');
  await expect.poll(() => updates(maps), { timeout: 60_000 }).toBeGreaterThan(beforeEpoch);
  await page.screenshot({ path: path.join(ARTIFACTS, 'cnn-explorer-epoch0.png') });

  // The monitor, finished: gradient norms, weight histograms, dead units.
  await page.locator('.lm-TabBar-tab', { hasText: 'Training' }).first().click();
  await expect(monitor.getByTestId('dlviz-gradient-chart')).toBeVisible();
  await page.screenshot({ path: path.join(ARTIFACTS, 'cnn-monitor-done.png') });
  await monitor
    .locator('.dlviz-section-title', { hasText: 'Dead ReLU units' })
    .scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(ARTIFACTS, 'cnn-monitor-details.png') });
  await page.locator('.lm-TabBar-tab', { hasText: 'CNN' }).first().click();

  // Insert code without a notebook: the code goes to the clipboard and a toast says so.
  await view.getByTestId('dlviz-insert-code').click();
  await expect(page.getByText(/code of this run is on the clipboard/)).toBeVisible();

  // Both views come back after a page reload.
  await page.reload();
  await page.locator('#jupyterlab-splash').waitFor({ state: 'detached', timeout: 120_000 });
  await expect(page.locator('.dlviz-cnn-view')).toHaveCount(1);
  await expect(page.locator('.dlviz-monitor')).toHaveCount(1);
  await expect(page.locator('.dlviz-monitor [data-testid="dlviz-loss-chart"]')).toHaveAttribute(
    'data-points',
    '8',
    {
      timeout: 60_000
    }
  );
  await expect(page.locator('.dlviz-cnn-view [data-testid="dlviz-feature-maps"]')).toHaveAttribute(
    'data-updated',
    '1',
    {
      timeout: 60_000
    }
  );

  // With a notebook open, Insert code adds a cell below the active one that repeats the run.
  await page.locator('.jp-DirListing-item', { hasText: 'welcome.ipynb' }).dblclick();
  const notebook = page.locator('.jp-NotebookPanel').first();
  await expect(notebook).toBeVisible();
  // examples/welcome.ipynb has 5 cells; wait until all are drawn.
  const cellsBefore = 5;
  await expect(notebook.locator('.jp-Cell')).toHaveCount(cellsBefore);
  await page.locator('.lm-TabBar-tab', { hasText: 'CNN' }).first().click();
  await page.locator('.dlviz-cnn-view').getByTestId('dlviz-insert-code').click();
  await expect(notebook).toBeVisible();
  await expect(notebook.locator('.jp-Cell')).toHaveCount(cellsBefore + 1);
  await expect(notebook.locator('.jp-Cell.jp-mod-active')).toContainText(
    "dlviz_kernel.train('cnn.train', params)"
  );
  await page.screenshot({ path: path.join(ARTIFACTS, 'cnn-insert-code.png') });

  // The dark theme: the views draw with the theme's colours.
  await page.locator('.lm-TabBar-tab', { hasText: 'CNN' }).first().click();
  await runFromPalette(page, 'Use Theme: JupyterLab Dark', () =>
    expect(page.locator('body')).toHaveAttribute('data-jp-theme-light', 'false', { timeout: 5000 })
  );
  await page.waitForTimeout(500);
  await page.screenshot({ path: path.join(ARTIFACTS, 'cnn-explorer-dark.png') });
  await page.locator('.lm-TabBar-tab', { hasText: 'Training' }).first().click();
  await page.screenshot({ path: path.join(ARTIFACTS, 'cnn-monitor-dark.png') });

  expect(blocked, `requests that tried to leave the Jupyter server: ${blocked.join(', ')}`).toEqual(
    []
  );
});

test('cancelling a training run keeps its finished epochs, and the explorer opens on them', async ({
  page
}) => {
  await openLab(page);
  await openPanelFromPalette(page);
  const panel = page.locator('#dlviz-lab-panel');
  await panel.getByTestId('dlviz-task').selectOption('cnn.train');
  // Long enough to cancel in the middle.
  await panel.locator('input[id$="training_epochs"]').fill('200');
  await panel.getByTestId('dlviz-run').click();

  // Views of earlier runs may be restored from the workspace: find this run's monitor by its id.
  let runId = '';
  await expect(async () => {
    const { runs } = await (await page.request.get(`/dlviz-lab/api/runs?token=${TOKEN}`)).json();
    const training = runs.find(
      (r: any) => r.task === 'cnn.train' && !['succeeded', 'failed', 'cancelled'].includes(r.status)
    );
    expect(training).toBeTruthy();
    runId = training.id;
  }).toPass({ timeout: 30_000 });
  const monitor = page.locator(`#dlviz-monitor-${runId}`);
  const chart = monitor.getByTestId('dlviz-loss-chart');
  await expect
    .poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 120_000 })
    .toBeGreaterThanOrEqual(2);
  await monitor.getByTestId('dlviz-monitor-cancel').click();
  const content = monitor.locator('.dlviz-monitor-content');
  await expect(content).toHaveAttribute('data-status', 'cancelled', { timeout: 30_000 });
  await expect(monitor.getByTestId('dlviz-monitor-status')).toContainText('cancelled');
  const points = Number(await chart.getAttribute('data-points'));
  expect(points).toBeGreaterThanOrEqual(2);
  expect(points).toBeLessThan(200);
  await page.screenshot({ path: path.join(ARTIFACTS, 'cnn-monitor-cancelled.png') });

  // The partial model is still in the kernel: the explorer looks at its last finished epoch.
  await monitor.getByRole('button', { name: 'Open CNN explorer' }).click();
  const view = page.locator(`#dlviz-cnn-${runId}`);
  await expect(view).toBeVisible();
  await expect(view.getByTestId('dlviz-feature-maps')).toHaveAttribute('data-updated', '1', {
    timeout: 60_000
  });
  await expect(view.getByTestId('dlviz-predictions').locator('.dlviz-bar-row')).toHaveCount(10);
  // Its slider runs over the finished epochs, which the kernel still keeps.
  const slider = view.getByTestId('dlviz-epoch-slider');
  await expect(slider).toBeEnabled();
  await expect(slider).toHaveAttribute('max', String(points));
  await expect(view.locator('.dlviz-slider-label')).toContainText('cancelled');
  await slider.fill('1');
  await expect(view.getByTestId('dlviz-feature-maps')).toHaveAttribute('data-updated', '2', {
    timeout: 60_000
  });
  await expect(view.getByTestId('dlviz-filters').locator('canvas.dlviz-filter')).toHaveCount(48);
  await page.screenshot({ path: path.join(ARTIFACTS, 'cnn-explorer-cancelled.png') });
});
