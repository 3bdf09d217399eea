import { expect, Locator, Page, test } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';
import { ARTIFACTS, blockOtherHosts, openLab, openPanelFromPalette, TOKEN } from './lab';

/** The heatmap's pixels, as a data URL. */
function pixels(canvas: Locator): Promise<string> {
  return canvas.evaluate(node => (node as HTMLCanvasElement).toDataURL());
}

async function numberOf(node: Locator, attribute: string): Promise<number> {
  return Number((await node.getAttribute(attribute)) ?? 0);
}

/** The newest mlp.train runs of the server, with their params. */
async function mlpRuns(page: Page): Promise<{ id: string; params: any; status: string }[]> {
  const answer = await page.request.get('/dlviz-lab/api/runs', {
    headers: { Authorization: `token ${TOKEN}` }
  });
  expect(answer.status()).toBe(200);
  const body = await answer.json();
  const runs: any[] = Array.isArray(body) ? body : body.runs;
  return runs.filter(run => run.task === 'mlp.train');
}

test('the MLP playground plays, pauses, steps, resets, edits a weight and copies its set-up', async ({
  page,
  baseURL
}) => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const blocked = await blockOtherHosts(page, baseURL!);
  await openLab(page);
  await openPanelFromPalette(page);

  // Run the default playground (circle, 4-2 tanh) from the panel: the playground opens at once.
  const panel = page.locator('#dlviz-lab-panel');
  await panel.getByTestId('dlviz-task').selectOption('mlp.train');
  await panel.getByTestId('dlviz-run').click();
  const view = page.locator('.dlviz-mlp-view').first();
  await expect(view).toBeVisible({ timeout: 30_000 });
  const content = view.locator('.dlviz-mlp-content');
  const heat = view.getByTestId('dlviz-mlp-heatmap');
  const controls = view.locator('.dlviz-mlp-controls');
  const play = view.getByTestId('dlviz-mlp-play');
  const epoch = view.getByTestId('dlviz-mlp-epoch');

  // The boundary moves while it trains: the heatmap's pixels differ between two frames.
  await expect.poll(() => numberOf(heat, 'data-frames'), { timeout: 120_000 }).toBeGreaterThan(1);
  const early = await pixels(heat);
  const framesEarly = await numberOf(heat, 'data-frames');
  await expect
    .poll(() => numberOf(heat, 'data-frames'), { timeout: 60_000 })
    .toBeGreaterThan(framesEarly + 3);
  expect(await pixels(heat)).not.toEqual(early);
  // 2 features, 4 and 2 hidden neurons, 1 output: 9 neuron pictures, 2*4 + 4*2 + 2*1 links
  await expect(view.locator('canvas.dlviz-mlp-neuron')).toHaveCount(9);
  await expect(view.locator('path.dlviz-mlp-link')).toHaveCount(18);
  await page.screenshot({ path: path.join(ARTIFACTS, 'mlp-playing.png') });

  // Pause: the run is cancelled, the kernel's weights come back and the points are drawn.
  await expect(controls).toHaveAttribute('data-state', 'playing');
  await play.click();
  await expect(controls).toHaveAttribute('data-state', 'idle', { timeout: 60_000 });
  await expect.poll(() => numberOf(content, 'data-results')).toBeGreaterThan(0);
  const paused = Number(await epoch.textContent());
  expect(paused).toBeGreaterThan(0);
  await page.waitForTimeout(1000);
  expect(Number(await epoch.textContent())).toBe(paused); // paused: it stays

  // Step: one epoch more.
  await view.getByTestId('dlviz-mlp-step').click();
  await expect(epoch).toHaveText(String(paused + 1), { timeout: 60_000 });
  await expect(controls).toHaveAttribute('data-state', 'idle');
  // Accuracy and the confusion matrix of the 250 test points; the loss chart reads on hover.
  await expect(view.getByTestId('dlviz-mlp-accuracy')).toContainText(/Accuracy: training \d/);
  const cells = view.getByTestId('dlviz-mlp-confusion').locator('td');
  await expect(cells).toHaveCount(4);
  const counted = await cells.allTextContents();
  expect(counted.map(Number).reduce((a, b) => a + b, 0)).toBe(250);
  const chart = view.getByTestId('dlviz-mlp-loss-chart');
  expect(await numberOf(chart, 'data-points')).toBeGreaterThan(1);
  const box = (await chart.boundingBox())!;
  // the right edge of the chart is the last epoch
  await chart.hover({ position: { x: box.width - 2, y: box.height / 2 } });
  await expect(view.getByTestId('dlviz-mlp-readout')).toContainText(
    new RegExp(`Epoch ${paused + 1}: training loss \\d`)
  );

  // Reset to the same first weights: epoch 0, and the same first frame every time.
  const results = await numberOf(content, 'data-results');
  await view.getByTestId('dlviz-mlp-reset').click();
  await expect(epoch).toHaveText('0', { timeout: 60_000 });
  await expect.poll(() => numberOf(content, 'data-results')).toBeGreaterThan(results);
  await expect(controls).toHaveAttribute('data-state', 'idle');
  await page.waitForTimeout(300);
  const first = await pixels(heat);
  await play.click();
  await expect.poll(async () => Number(await epoch.textContent())).toBeGreaterThan(2);
  // While playing, a new learning rate applies without a reset: the epochs go on.
  const before = Number(await epoch.textContent());
  await view.getByTestId('dlviz-mlp-learning-rate').selectOption('0.3');
  await expect
    .poll(async () => (await mlpRuns(page))[0]?.params?.training?.learning_rate, {
      timeout: 60_000
    })
    .toBe(0.3);
  const faster = (await mlpRuns(page))[0];
  expect(faster.params.continue_from).toBeTruthy(); // it goes on from the last weights
  await expect(controls).toHaveAttribute('data-state', 'playing');
  await expect.poll(async () => Number(await epoch.textContent())).toBeGreaterThan(before + 2);
  await play.click();
  await expect(controls).toHaveAttribute('data-state', 'idle', { timeout: 60_000 });
  expect(await pixels(heat)).not.toEqual(first);
  const resets = await numberOf(content, 'data-results');
  await view.getByTestId('dlviz-mlp-reset').click();
  await expect(epoch).toHaveText('0', { timeout: 60_000 });
  await expect.poll(() => numberOf(content, 'data-results')).toBeGreaterThan(resets);
  await page.waitForTimeout(300);
  expect(await pixels(heat)).toEqual(first);

  // Hover a neuron: its picture is shown large.
  const large = view.getByTestId('dlviz-mlp-large');
  await view.locator('canvas[data-neuron="1-2"]').hover();
  await expect(large).toHaveAttribute('data-neuron', '1-2');
  const neuronPicture = await pixels(large);
  await view.locator('canvas[data-neuron="2-0"]').hover();
  await expect(large).toHaveAttribute('data-neuron', '2-0');
  expect(await pixels(large)).not.toEqual(neuronPicture);

  // Click a link: read its weight and set it to 3 (a run with `edits`); it becomes the widest.
  await view.locator('path[data-link="1-0-3"]').dispatchEvent('click');
  const editor = view.getByTestId('dlviz-mlp-editor');
  await expect(editor).toBeVisible();
  await expect(editor).toContainText('Weight from neuron 4 of layer 1 to neuron 1 of layer 2');
  const edited = await numberOf(content, 'data-results');
  await view.getByTestId('dlviz-mlp-edit-value').fill('3');
  await view.getByTestId('dlviz-mlp-edit-apply').click();
  await expect(editor).toBeHidden();
  await expect.poll(() => numberOf(content, 'data-results')).toBeGreaterThan(edited);
  expect((await mlpRuns(page))[0].params.edits).toEqual([{ layer: 1, to: 0, from: 3, value: 3 }]);
  const links = view.locator('path.dlviz-mlp-link');
  // links of layer 1 come after the 8 of layer 0, 4 per target neuron: (to 0, from 3) is the 12th
  await expect(links.nth(8 + 3)).toHaveAttribute('stroke-width', '6.00');
  await page.screenshot({ path: path.join(ARTIFACTS, 'mlp-edited.png') });

  // Test points and the discretised output.
  const points = view.getByTestId('dlviz-mlp-points');
  const trainOnly = await pixels(points);
  await view.getByTestId('dlviz-mlp-show-test').check();
  expect(await pixels(points)).not.toEqual(trainOnly);
  const smooth = await pixels(heat);
  await view.getByTestId('dlviz-mlp-discrete').check();
  expect(await pixels(heat)).not.toEqual(smooth);

  // Copy set-up: the whole state as JSON, the new learning rate included; open it again.
  await view.getByTestId('dlviz-mlp-copy-setup').click();
  const copied = JSON.parse((await controls.getAttribute('data-copied'))!);
  expect(copied.task).toBe('mlp.train');
  expect(copied.params.training.learning_rate).toBe(0.3);
  expect(copied.params.continue_from).toBeUndefined();
  copied.params.data.source = 'xor';
  await view.getByTestId('dlviz-mlp-open-setup').click();
  await view.getByTestId('dlviz-mlp-setup-text').fill(JSON.stringify(copied));
  const opened = await numberOf(content, 'data-results');
  await view.getByTestId('dlviz-mlp-load-setup').click();
  await expect.poll(() => numberOf(content, 'data-results')).toBeGreaterThan(opened);
  const xor = (await mlpRuns(page))[0];
  expect(xor.params.data.source).toBe('xor');
  expect(xor.params.training.learning_rate).toBe(0.3);
  await expect(epoch).toHaveText('0');
  await page.screenshot({ path: path.join(ARTIFACTS, 'mlp-opened-setup.png') });

  expect(blocked, `requests that tried to leave the Jupyter server: ${blocked.join(', ')}`).toEqual(
    []
  );
});

test('the playground draws every frame the kernel sends while it plays (frame rate)', async ({
  page,
  baseURL
}) => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await blockOtherHosts(page, baseURL!);
  await openLab(page);
  await openPanelFromPalette(page);
  const panel = page.locator('#dlviz-lab-panel');
  await panel.getByTestId('dlviz-task').selectOption('mlp.train');
  await panel.getByTestId('dlviz-run').click();
  const view = page.locator('.dlviz-mlp-view').first();
  await expect(view).toBeVisible({ timeout: 30_000 });
  const content = view.locator('.dlviz-mlp-content');
  const heat = view.getByTestId('dlviz-mlp-heatmap');
  const controls = view.locator('.dlviz-mlp-controls');
  // the panel's run may be over (150 epochs): play on from it
  await expect.poll(() => numberOf(heat, 'data-frames'), { timeout: 120_000 }).toBeGreaterThan(2);
  if ((await controls.getAttribute('data-state')) !== 'playing') {
    await view.getByTestId('dlviz-mlp-play').click();
  }
  await expect.poll(() => numberOf(content, 'data-epoch')).toBeGreaterThan(5);
  const seconds = 8;
  const frames0 = await numberOf(heat, 'data-frames');
  const epochs0 = await numberOf(content, 'data-epoch');
  const t0 = Date.now();
  await page.waitForTimeout((seconds - 2) * 1000);
  // the animation frames the browser itself gave meanwhile (a loaded CPU gives fewer than 60)
  const animationFrames = await page.evaluate(
    () =>
      new Promise<number>(resolve => {
        let count = 0;
        const end = performance.now() + 2000;
        const tick = () => {
          count++;
          if (performance.now() < end) {
            requestAnimationFrame(tick);
          } else {
            resolve(count / 2);
          }
        };
        requestAnimationFrame(tick);
      })
  );
  const frames = (await numberOf(heat, 'data-frames')) - frames0;
  const epochs = (await numberOf(content, 'data-epoch')) - epochs0;
  const elapsed = (Date.now() - t0) / 1000;
  const drawMs = await numberOf(content, 'data-draw-ms');
  const numbers = {
    seconds: elapsed,
    frames_drawn_per_second: frames / elapsed,
    epochs_arrived_per_second: epochs / elapsed,
    mean_draw_ms: drawMs,
    browser_animation_frames_per_second: animationFrames,
    draw_capacity_fps: drawMs > 0 ? 1000 / drawMs : null
  };
  console.log(`mlp frame rate: ${JSON.stringify(numbers)}`);
  fs.writeFileSync(path.join(ARTIFACTS, 'mlp-fps.json'), JSON.stringify(numbers, null, 1));
  await view.getByTestId('dlviz-mlp-play').click();
  // it follows the training: frames keep coming, never more than the epochs (and results) sent;
  // epochs that arrive together (one network read) are drawn once, the newest
  expect(epochs).toBeGreaterThan(elapsed);
  expect(frames).toBeGreaterThan(elapsed);
  expect(frames).toBeLessThanOrEqual(epochs + 2);
  // a frame (every neuron's picture, the output, the chart) draws in under 50 ms: >= 20 per second
  expect(drawMs).toBeGreaterThan(0);
  expect(drawMs).toBeLessThan(50);
});
