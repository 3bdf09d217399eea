import { expect, Locator, Page, test } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';
import {
  ARTIFACTS,
  blockOtherHosts,
  openLab,
  openPanelFromPalette,
  playgroundTo,
  runFromPalette,
  TOKEN
} from './lab';

/** The heatmap's pixels, as a data URL. */
function pixels(canvas: Locator): Promise<string> {
  return canvas.evaluate(node => (node as HTMLCanvasElement).toDataURL());
}

async function numberOf(node: Locator, attribute: string): Promise<number> {
  return Number((await node.getAttribute(attribute)) ?? 0);
}

/**
 * Nothing going on: no run, and every frame that came drawn (frames wait for animation frames, so
 * the epoch counter can lag the run's end on a busy machine).
 */
async function settled(view: Locator): Promise<void> {
  await expect(view.locator('.dlviz-mlp-controls')).toHaveAttribute('data-state', 'idle', {
    timeout: 60_000
  });
  await expect(view.locator('.dlviz-mlp-content')).toHaveAttribute('data-backlog', '0');
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

  // Pause: the run is cancelled, the kernel's weights come back and the points are drawn. Pause
  // a play of our own, not the panel's run of 150 epochs: that one can end between a look at the
  // button and the click, which then starts a play instead (a play goes on until paused).
  await expect(controls).toHaveAttribute('data-state', 'idle', { timeout: 120_000 });
  const ranFor = Number(await epoch.textContent());
  await playgroundTo(view, 'playing');
  await expect.poll(async () => Number(await epoch.textContent())).toBeGreaterThan(ranFor);
  await play.click();
  await settled(view);
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
  // a course preset as it is (docs/presets.md), ready for a lesson's metadata
  expect(copied).toMatchObject({ name: 'playground-circle', task: 'mlp.train', locked: [] });
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

test('the playground follows the training while it plays (frame rate)', async ({
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
  // measure a play (2000 epochs), not the panel's run of 150: wait for that to end first
  await expect.poll(() => numberOf(heat, 'data-frames'), { timeout: 120_000 }).toBeGreaterThan(2);
  await expect(controls).toHaveAttribute('data-state', 'idle', { timeout: 120_000 });
  await playgroundTo(view, 'playing');
  await expect.poll(() => numberOf(content, 'data-epoch')).toBeGreaterThan(5);
  const seconds = 8;
  const frames0 = await numberOf(heat, 'data-frames');
  const dropped0 = await numberOf(content, 'data-dropped');
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
  const dropped = (await numberOf(content, 'data-dropped')) - dropped0;
  const epochs = (await numberOf(content, 'data-epoch')) - epochs0;
  const elapsed = (Date.now() - t0) / 1000;
  const drawMs = await numberOf(content, 'data-draw-ms');
  // the whole window was one play (not the end of a run and an idle view)
  await expect(controls).toHaveAttribute('data-state', 'playing');
  const numbers = {
    seconds: elapsed,
    frames_drawn_per_second: frames / elapsed,
    // weights sent by the kernel: every epoch, and inside an epoch longer than 40 ms
    frames_arrived_per_second: (frames + dropped) / elapsed,
    epochs_arrived_per_second: epochs / elapsed,
    mean_draw_ms: drawMs,
    browser_animation_frames_per_second: animationFrames,
    draw_capacity_fps: drawMs > 0 ? 1000 / drawMs : null
  };
  console.log(`mlp frame rate: ${JSON.stringify(numbers)}`);
  fs.writeFileSync(path.join(ARTIFACTS, 'mlp-fps.json'), JSON.stringify(numbers, null, 1));
  await view.getByTestId('dlviz-mlp-play').click();
  // it follows the training: frames keep coming; frames that arrive together (one network
  // read) are drawn once, the newest
  expect(epochs).toBeGreaterThan(elapsed);
  expect(frames).toBeGreaterThan(elapsed);
  // a frame (every neuron's picture, the output, the chart) draws in under 50 ms: >= 20 per second
  expect(drawMs).toBeGreaterThan(0);
  expect(drawMs).toBeLessThan(50);
});

/** A notebook written through the contents API, one code cell per source. */
async function writeNotebook(page: Page, name: string, sources: string[]): Promise<void> {
  const content = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: 'python3', display_name: 'Python 3 (ipykernel)', language: 'python' },
      language_info: { name: 'python' }
    },
    cells: sources.map((source, i) => ({
      cell_type: 'code',
      id: `cell-${i}`,
      metadata: {},
      execution_count: null,
      outputs: [],
      source
    }))
  };
  const response = await page.request.put(`/api/contents/${name}?token=${TOKEN}`, {
    data: { type: 'notebook', format: 'json', content }
  });
  expect(response.ok(), await response.text()).toBeTruthy();
}

/** 40 people: height and weight (the plotted columns), age (held at its mean), tall or not. */
const PEOPLE = Array.from({ length: 40 }, (_, i) => ({
  height: 150 + ((i * 7) % 50),
  weight: 50 + ((i * 11) % 40),
  age: 18 + ((i * 5) % 40)
}));

async function runJson(page: Page, id: string): Promise<any> {
  const answer = await page.request.get(`/dlviz-lab/api/runs/${id}`, {
    headers: { Authorization: `token ${TOKEN}` }
  });
  expect(answer.status()).toBe(200);
  return answer.json();
}

test("a notebook DataFrame as the playground's data; Insert code gets the model; pause then step", async ({
  page,
  baseURL
}) => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const blocked = await blockOtherHosts(page, baseURL!);
  const name = 'dlviz-mlp-frame.ipynb';
  await openLab(page);
  const column = (key: 'height' | 'weight' | 'age') => PEOPLE.map(p => p[key]).join(', ');
  await writeNotebook(page, name, [
    'import pandas as pd\n' +
      `people = pd.DataFrame({"height": [${column('height')}], "weight": [${column('weight')}],\n` +
      `                       "age": [${column('age')}]})\n` +
      'people["tall"] = ["yes" if h > 175 else "no" for h in people["height"]]\n' +
      'print(len(people), "people")'
  ]);
  await page.locator('.jp-DirListing-item', { hasText: name }).first().dblclick();
  const notebook = page
    .locator('.jp-NotebookPanel')
    .filter({ has: page.locator('.jp-Notebook') })
    .first();
  await expect(notebook).toBeVisible();
  await notebook.locator('.jp-Cell').first().click();
  await runFromPalette(page, 'Run All Cells', () =>
    expect(notebook.locator('.jp-OutputArea-output').first()).toBeVisible({ timeout: 3000 })
  );
  await expect(notebook.locator('.jp-OutputArea-output', { hasText: '40 people' })).toBeVisible({
    timeout: 120_000
  });

  // The panel's form: notebook data, the DataFrame's name and its target column, the notebook's kernel.
  await openPanelFromPalette(page);
  const panel = page.locator('#dlviz-lab-panel');
  await panel.getByTestId('dlviz-task').selectOption('mlp.train');
  await panel.getByTestId('dlviz-kernel').selectOption('notebook');
  await panel.locator('select[id$="data_source"]').selectOption({ label: 'Notebook data' });
  await panel.locator('input[id$="data_x"]').fill('people');
  await panel.locator('input[id$="data_target"]').fill('tall');
  await panel.locator('input[id$="training_epochs"]').fill('10');
  await panel.getByTestId('dlviz-run').click();
  const view = page.locator('.dlviz-mlp-view').first();
  await expect(view).toBeVisible({ timeout: 60_000 });
  const content = view.locator('.dlviz-mlp-content');
  await expect
    .poll(() => numberOf(content, 'data-results'), { timeout: 180_000 })
    .toBeGreaterThan(0);
  const first = (await mlpRuns(page)).find(run => run.params.data.source === 'notebook')!;
  expect(first.params.data.x).toBe('people');
  const result = (await runJson(page, first.id)).result;
  expect(result.dataset.columns).toEqual(['height', 'weight', 'age']);
  expect(result.dataset.shown).toEqual([0, 1]);
  expect(result.dataset.fixed[2]).toBeCloseTo(PEOPLE.reduce((s, p) => s + p.age, 0) / 40, 3);
  // The points are the frame's rows: every (height, weight) once, training and test together.
  const key = (p: number[]) => `${p[0]},${p[1]}`;
  const sent = [...result.train.x, ...result.test.x].map(key).sort();
  expect(sent).toEqual(PEOPLE.map(p => key([p.height, p.weight])).sort());
  expect(result.train.y.length + result.test.y.length).toBe(40);
  await expect(view.locator('.dlviz-mlp-axes')).toContainText('height');
  await expect(view.locator('.dlviz-mlp-axes')).toContainText('weight');
  // ...and they are drawn: as many dots as rows, each where its row says on the canvas.
  const dots = view.getByTestId('dlviz-mlp-points');
  await expect(dots).toHaveAttribute('data-points', String(result.train.x.length));
  await view.getByTestId('dlviz-mlp-show-test').check();
  await expect(dots).toHaveAttribute('data-points', '40');
  const [[x0, x1], [y0, y1]] = result.dataset.ranges;
  const places = PEOPLE.map(p => [
    Math.min(299, Math.round(((p.height - x0) / (x1 - x0)) * 300)),
    Math.min(299, Math.round(300 - ((p.weight - y0) / (y1 - y0)) * 300))
  ]);
  const alphas = await dots.evaluate((node, at) => {
    const context = (node as HTMLCanvasElement).getContext('2d')!;
    return at.map(([x, y]) => context.getImageData(x, y, 1, 1).data[3]);
  }, places);
  expect(alphas.filter(a => a > 0).length).toBe(40);
  await page.screenshot({ path: path.join(ARTIFACTS, 'mlp-dataframe.png') });

  // Insert code: a cell below the active one that gets this network from the kernel.
  const cells = await notebook.locator('.jp-Cell').count();
  await view.getByTestId('dlviz-insert-code').click();
  await expect(notebook.locator('.jp-Cell')).toHaveCount(cells + 1);
  await expect(notebook.locator('.jp-Cell.jp-mod-active')).toContainText(
    `dlviz_kernel.get_model('${first.id}')`
  );
  // below the DataFrame's cell, the active one before; it stays put when run (the active moves on)
  const inserted = notebook.locator('.jp-Cell').nth(1);
  await expect(inserted).toContainText(`dlviz_kernel.get_model('${first.id}')`);
  await inserted.locator('.jp-InputArea-editor').click();
  await page.keyboard.press('Shift+Enter');
  // model.eval() shows the module: the features in front of the playground's network
  await expect(inserted.locator('.jp-OutputArea-output')).toContainText('PlaygroundNet', {
    timeout: 60_000
  });

  // Pause, then step at once, then twice quickly: the steps are never cancelled, each adds one
  // epoch.
  const play = view.getByTestId('dlviz-mlp-play');
  const controls = view.locator('.dlviz-mlp-controls');
  const epoch = view.getByTestId('dlviz-mlp-epoch');
  await play.click();
  await expect
    .poll(async () => Number(await epoch.textContent()), { timeout: 60_000 })
    .toBeGreaterThan(14);
  const earlier = new Set((await mlpRuns(page)).map(run => run.id));
  await play.click();
  await view.getByTestId('dlviz-mlp-step').click();
  await expect(controls).not.toHaveAttribute('data-state', 'playing');
  await expect
    .poll(async () => (await mlpRuns(page))[0].params.training.epochs, { timeout: 60_000 })
    .toBe(1);
  await expect
    .poll(async () => (await mlpRuns(page))[0].status, { timeout: 60_000 })
    .toBe('succeeded');
  await settled(view);
  const stepped = Number(await epoch.textContent());
  await view.getByTestId('dlviz-mlp-step').click();
  await view.getByTestId('dlviz-mlp-step').click();
  await expect(epoch).toHaveText(String(stepped + 2), { timeout: 60_000 });
  await settled(view);
  await expect(epoch).toHaveText(String(stepped + 2));
  const steps = (await mlpRuns(page)).filter(
    run => !earlier.has(run.id) && run.params.training?.epochs === 1
  );
  expect(steps.map(run => run.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
  await expect(view.getByTestId('dlviz-mlp-message')).not.toContainText('The kernel says');

  expect(blocked, `requests that tried to leave the Jupyter server: ${blocked.join(', ')}`).toEqual(
    []
  );
});
