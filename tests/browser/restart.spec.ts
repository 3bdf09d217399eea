/**
 * A docked view of a finished run survives a server restart (JupyterHub's idle culler stops a
 * student's server every day): the run and its arrays come back from the run store, the view is
 * restored on reload, and it says that the trained model died with its kernel.
 */
import { APIRequestContext, expect, test } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';
import { ARTIFACTS, openLab, openPanelFromPalette, TOKEN } from './lab';

const AUTH = { Authorization: `token ${TOKEN}` };

/** When the server answering now was started (changes when start_lab.py starts a new one). */
async function serverStarted(request: APIRequestContext): Promise<string> {
  const answer = await request.get('/api/status', { headers: AUTH, timeout: 5000 });
  expect(answer.ok()).toBe(true);
  return (await answer.json()).started;
}

test('a docked CNN explorer survives a server restart and says its model is gone', async ({
  page
}) => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await openLab(page);
  await openPanelFromPalette(page);
  const panel = page.locator('#dlviz-lab-panel');
  await panel.getByTestId('dlviz-task').selectOption('cnn.train');
  await panel.locator('input[id$="training_epochs"]').fill('2');
  await panel.getByTestId('dlviz-run').click();

  // This run's id: the newest cnn.train of this server.
  let runId = '';
  await expect(async () => {
    const { runs } = await (
      await page.request.get('/dlviz-lab/api/runs', { headers: AUTH })
    ).json();
    const training = runs.find(
      (r: any) => r.task === 'cnn.train' && r.params?.training?.epochs === 2
    );
    expect(training).toBeTruthy();
    runId = training.id;
  }).toPass({ timeout: 30_000 });

  // The explorer docks once the run succeeded, with its filters and the first inspect result.
  const view = page.locator(`#dlviz-cnn-${runId}`);
  await expect(view).toBeVisible({ timeout: 180_000 });
  await expect(view.getByTestId('dlviz-filters').locator('canvas.dlviz-filter')).toHaveCount(48);
  await expect(view.getByTestId('dlviz-feature-maps')).toHaveAttribute('data-updated', '1', {
    timeout: 60_000
  });
  // The kernel still runs: no notice yet.
  await expect(view.getByTestId('dlviz-kernel-gone')).toBeHidden();
  const before = await (
    await page.request.get(`/dlviz-lab/api/runs/${runId}`, { headers: AUTH })
  ).json();
  expect(before.status).toBe('succeeded');
  const keptEpochs: number[] = before.result.snapshots.epochs;
  const kernelId: string = before.kernel_id;

  // Lab saves the layout (debounced): wait until the workspace holds the explorer.
  await expect(async () => {
    const workspace = await (
      await page.request.get('/lab/api/workspaces/default', { headers: AUTH })
    ).text();
    expect(workspace).toContain(`dlviz-lab-cnn:${runId}`);
  }).toPass({ timeout: 30_000 });

  // Stop the server as the idle culler would; start_lab.py starts it again on the same data dir.
  const started = await serverStarted(page.request);
  const shutdown = await page.request.post('/api/shutdown', { headers: AUTH });
  expect(shutdown.ok()).toBe(true);
  await expect(async () => {
    expect(await serverStarted(page.request)).not.toBe(started);
  }).toPass({ timeout: 120_000, intervals: [500] });

  // The new server has the run and its arrays, and not the kernel that trained it.
  const after = await page.request.get(`/dlviz-lab/api/runs/${runId}`, { headers: AUTH });
  expect(after.status()).toBe(200);
  const run = await after.json();
  expect(run.status).toBe('succeeded');
  expect(run.result.snapshots.epochs).toEqual(keptEpochs);
  const filters = run.result.snapshots.layers[0].filters;
  expect(filters.shape[0]).toBe(keptEpochs.length);
  const kernels = await (await page.request.get('/api/kernels', { headers: AUTH })).json();
  expect(kernels.map((k: any) => k.id)).not.toContain(kernelId);

  // Reload: the explorer is restored and draws its filters from the stored run.
  await page.reload();
  await page.locator('#jupyterlab-splash').waitFor({ state: 'detached', timeout: 120_000 });
  const restored = page.locator(`#dlviz-cnn-${runId}`);
  await expect(restored).toHaveCount(1);
  await page.locator('.lm-TabBar-tab', { hasText: 'CNN' }).first().click();
  await expect(restored.getByTestId('dlviz-filters').locator('canvas.dlviz-filter')).toHaveCount(
    48,
    { timeout: 60_000 }
  );
  await expect(restored.getByTestId('dlviz-feature-maps')).toHaveAttribute('data-updated', '1');
  await expect(restored.getByTestId('dlviz-predictions').locator('.dlviz-bar-row')).toHaveCount(10);
  const notice = restored.getByTestId('dlviz-kernel-gone');
  await expect(notice).toBeVisible({ timeout: 30_000 });
  await expect(notice).toContainText(
    `The trained model lived in kernel ${kernelId.slice(0, 8)}, which is no longer running`
  );
  await expect(notice).toContainText(
    'drawing a new image or inspecting another epoch needs the run again'
  );
  await page.screenshot({ path: path.join(ARTIFACTS, 'restart-explorer-restored.png') });
  await restored.locator('.dlviz-chip', { hasText: 'Filters' }).click();
  await page.waitForTimeout(700);
  await page.screenshot({ path: path.join(ARTIFACTS, 'restart-explorer-filters.png') });

  // The epoch slider still scrubs the saved filters; nothing is asked of a kernel that is gone.
  const inspectRuns = async () =>
    (await (await page.request.get('/dlviz-lab/api/runs', { headers: AUTH })).json()).runs.filter(
      (r: any) => r.task === 'cnn.inspect'
    ).length;
  const inspectBefore = await inspectRuns();
  const slider = restored.getByTestId('dlviz-epoch-slider');
  await expect(slider).toHaveAttribute('max', String(keptEpochs.length - 1));
  await slider.fill('0');
  await expect(restored.locator('.dlviz-slider-label')).toContainText('before training');
  await expect(restored.getByTestId('dlviz-cnn-status')).toContainText(
    'kernel of this run is gone'
  );
  await expect(restored.getByTestId('dlviz-filters').locator('canvas.dlviz-filter')).toHaveCount(
    48
  );
  expect(await inspectRuns()).toBe(inspectBefore);

  // The training monitor came back too, with its curves and the same notice.
  const monitor = page.locator(`#dlviz-monitor-${runId}`);
  await expect(monitor).toHaveCount(1);
  await page.locator('.lm-TabBar-tab', { hasText: 'Training' }).first().click();
  await expect(monitor.getByTestId('dlviz-loss-chart')).toHaveAttribute('data-points', '2', {
    timeout: 60_000
  });
  await expect(monitor.getByTestId('dlviz-kernel-gone')).toBeVisible({ timeout: 30_000 });
  await page.screenshot({ path: path.join(ARTIFACTS, 'restart-monitor-restored.png') });
});
