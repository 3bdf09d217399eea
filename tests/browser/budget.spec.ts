/**
 * A training run whose snapshots a byte budget thinned: the views say so, and their epoch
 * sliders offer the kept epochs only, labelled with the real epoch numbers.
 */
import { expect, test } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';
import { ARTIFACTS, blockOtherHosts, openLab, openPanelFromPalette, TOKEN } from './lab';

const AUTH = { Authorization: `token ${TOKEN}` };

test('a thinned transformer.train run: a notice, and a slider over the kept epochs', async ({
  page,
  baseURL
}) => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const blocked = await blockOtherHosts(page, baseURL!);
  await openLab(page);
  await openPanelFromPalette(page);
  const panel = page.locator('#dlviz-lab-panel');
  await panel.getByTestId('dlviz-task').selectOption('transformer.train');
  // A wide model: one epoch's weights take ~3 MiB, so 13 epochs do not fit the 32 MiB budget.
  await panel.locator('input[id$="embedding_size"]').fill('256');
  await panel.locator('input[id$="_heads"]').fill('4');
  await panel.locator('input[id$="_layers"]').fill('1');
  await panel.locator('input[id$="feed_forward"]').fill('1024');
  await panel.locator('input[id$="_epochs"]').fill('12');
  await panel.getByTestId('dlviz-run').click();
  await expect(panel.getByTestId('dlviz-status')).toContainText('succeeded', { timeout: 180_000 });

  const { runs } = await (await page.request.get('/dlviz-lab/api/runs', { headers: AUTH })).json();
  const runId = runs.find(
    (r: any) => r.task === 'transformer.train' && r.params?.embedding_size === 256
  ).id;
  const run = await (
    await page.request.get(`/dlviz-lab/api/runs/${runId}`, { headers: AUTH })
  ).json();
  const kept = run.result.kept;
  // The budget really thinned this run: every k-th epoch and the last, k > 1.
  expect(kept.every).toBeGreaterThan(1);
  expect(kept.message).toContain('To stay within');
  const epochs: number[] = run.result.snapshots.epochs;
  expect(epochs).toEqual(kept.snapshot_epochs);
  expect(epochs[epochs.length - 1]).toBe(12);
  expect(epochs.length).toBeLessThan(13);

  // The monitor shows the kernel's note; its curves keep one point per epoch.
  const monitor = page.locator(`#dlviz-monitor-${runId}`);
  await expect(monitor.getByTestId('dlviz-loss-chart')).toHaveAttribute('data-points', '12');
  await expect(monitor.getByTestId('dlviz-kept-notice')).toHaveText(kept.message);

  // The attention view: the same note, a slider with one position per kept epoch.
  const view = page.locator(`#dlviz-view-${runId}`);
  await expect(view).toBeVisible({ timeout: 60_000 });
  await expect(view.getByTestId('dlviz-kept-notice')).toHaveText(kept.message);
  await expect(view.getByTestId('dlviz-kernel-gone')).toBeHidden();
  const slider = view.getByTestId('dlviz-epoch');
  await expect(slider).toHaveAttribute('max', String(epochs.length - 1));
  const label = view.locator('.dlviz-epoch-label');
  await expect(label).toHaveText('Epoch 12 of 12');
  await slider.fill('1');
  await expect(label).toHaveText(`Epoch ${epochs[1]} of 12`);
  const frame = view.locator('iframe.dlviz-view-frame').contentFrame();
  await expect(frame.locator('#vis svg text').filter({ hasText: /^cat$/ }).first()).toBeVisible();
  await page.screenshot({ path: path.join(ARTIFACTS, 'budget-transformer-thinned.png') });

  // The neuron view asks the kernel for that real epoch (position 1 is not epoch 1), and draws.
  await view.getByTestId('dlviz-view-kind').selectOption('neuron');
  await expect(frame.locator('#vis svg').first()).toBeVisible({ timeout: 90_000 });
  await expect(view.locator('.dlviz-view-message')).toHaveCount(0);
  const after = (await (await page.request.get('/dlviz-lab/api/runs', { headers: AUTH })).json())
    .runs;
  const inspect = after.find(
    (r: any) => r.task === 'transformer.inspect' && r.params?.run === runId
  );
  expect(inspect.params.epoch).toBe(epochs[1]);
  expect(inspect.status).toBe('succeeded');
  await page.screenshot({ path: path.join(ARTIFACTS, 'budget-transformer-neuron.png') });
  expect(blocked, `requests that tried to leave the Jupyter server: ${blocked.join(', ')}`).toEqual(
    []
  );
});
