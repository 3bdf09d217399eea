/**
 * A run for a notebook's kernel while one of its cells is still running: it stays queued, the
 * panel and the monitor say in words that it waits for the cell, and it runs once the cell ends.
 */
import { expect, test } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';
import { ARTIFACTS, openLab, openPanelFromPalette } from './lab';

const WAITING = 'Waiting for the kernel: a notebook cell is still running';

test('a run queued behind a busy notebook cell says it is waiting, then runs', async ({ page }) => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await openLab(page);
  await page.locator('.jp-DirListing-item', { hasText: 'welcome.ipynb' }).dblclick();
  const notebook = page.locator('.jp-NotebookPanel').first();
  await expect(notebook.locator('.jp-Cell')).toHaveCount(5);

  // A cell that keeps the kernel busy for a while, as a learner's long cell would.
  await notebook.locator('.jp-Cell').first().click();
  await page.keyboard.press('Escape');
  await page.keyboard.press('a');
  await expect(notebook.locator('.jp-Cell')).toHaveCount(6);
  await notebook.locator('.jp-Cell').first().locator('.cm-content').click();
  await page.keyboard.type("import time; print('sleeping', flush=True); time.sleep(40)");
  await page.keyboard.press('Shift+Enter');
  // Its output shows once the kernel runs it: from then on the kernel is busy.
  await expect(notebook.locator('.jp-Cell').first().locator('.jp-OutputArea-output')).toContainText(
    'sleeping',
    {
      timeout: 60_000
    }
  );

  // A short training run for the notebook's kernel, from the panel.
  await openPanelFromPalette(page);
  const panel = page.locator('#dlviz-lab-panel');
  await panel.getByTestId('dlviz-task').selectOption('cnn.train');
  await panel.locator('input[id$="training_epochs"]').fill('1');
  await expect(panel.getByTestId('dlviz-kernel')).toHaveValue('notebook');
  await panel.getByTestId('dlviz-run').click();

  // Queued, and saying why in words, in the panel and in the monitor.
  const status = panel.getByTestId('dlviz-status');
  await expect(status).toHaveText(`queued: ${WAITING}`, { timeout: 30_000 });
  await expect(status).toHaveClass(/dlviz-waiting/);
  const monitor = page.locator('.dlviz-monitor-content').first();
  await expect(monitor).toHaveAttribute('data-status', 'queued');
  await expect(monitor.getByTestId('dlviz-monitor-status')).toHaveText(WAITING);
  await expect(monitor.getByTestId('dlviz-monitor-status')).toHaveClass(/dlviz-waiting/);
  await page.screenshot({ path: path.join(ARTIFACTS, 'waiting-for-cell.png') });

  // Once the cell ends, the kernel takes the run: the waiting line goes away and it succeeds.
  await expect(status).toContainText('succeeded', { timeout: 120_000 });
  await expect(status).not.toHaveClass(/dlviz-waiting/);
  await expect(monitor.getByTestId('dlviz-monitor-status')).not.toHaveClass(/dlviz-waiting/);
  await expect(monitor.getByTestId('dlviz-loss-chart')).toHaveAttribute('data-points', '1');
});
