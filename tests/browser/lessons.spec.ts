/**
 * A lesson notebook as a course hands it out (examples/lessons/pt-BR/mlp.ipynb): executed top to
 * bottom by nbclient in a real kernel in the test's set-up and saved with its outputs, as a
 * student's copy would be; then opened through the preset link its text gives
 * (`lab/tree/lessons/pt-BR/mlp.ipynb?dlviz-preset=mlp-spiral`). No cell runs in the browser: the
 * show.* outputs draw from what was saved. The panel shows the lesson's preset (title,
 * instruction, locked field), the other preset of the lesson can be picked, and Run
 * opens the view the preset is for: the playground of the preset's network.
 */
import { expect, Page, test } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';
import { ARTIFACTS, blockOtherHosts, colours, executedNotebook, playgroundTo, TOKEN } from './lab';

const AUTH = { Authorization: `token ${TOKEN}` };
const LESSON = path.resolve(__dirname, '..', '..', 'examples', 'lessons', 'pt-BR', 'mlp.ipynb');
const MIME = 'application/vnd.dlviz-lab.view.v1+json';

/** Save a lesson notebook at `file` (under lessons/<language>/) through the contents API. */
async function putLesson(page: Page, file: string, notebook: unknown): Promise<void> {
  const folders = file.split('/').slice(0, -1);
  for (let i = 1; i <= folders.length; i++) {
    const made = await page.request.put(`/api/contents/${folders.slice(0, i).join('/')}`, {
      headers: AUTH,
      data: { type: 'directory' }
    });
    expect(made.status(), await made.text()).toBeLessThan(300);
  }
  const put = await page.request.put(`/api/contents/${file}`, {
    headers: AUTH,
    data: { type: 'notebook', format: 'json', content: notebook }
  });
  expect(put.status(), await put.text()).toBeLessThan(300);
}

test("a lesson's saved outputs render without a cell run; its preset link opens the panel on the preset; Run gives its view", async ({
  page,
  baseURL
}) => {
  test.setTimeout(400_000);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const lesson = JSON.parse(fs.readFileSync(LESSON, 'utf-8'));
  const notebook = executedNotebook(lesson, path.dirname(LESSON));
  const code = notebook.cells.filter((cell: any) => cell.cell_type === 'code');
  const shown: string[] = code.flatMap((cell: any) =>
    cell.outputs.filter((o: any) => o.data?.[MIME]).map((o: any) => o.data[MIME].view)
  );
  expect(shown.length).toBeGreaterThanOrEqual(4);
  expect(new Set(shown)).toEqual(new Set(['decision_boundary', 'training_curves']));
  const presets = lesson.metadata.dlviz.presets;
  const spiral = presets.find((p: any) => p.name === 'mlp-spiral');
  const circle = presets.find((p: any) => p.name === 'mlp-circle');

  const blocked = await blockOtherHosts(page, baseURL!);
  await putLesson(page, 'lessons/pt-BR/mlp.ipynb', notebook);

  // The link the lesson's text gives.
  await page.goto(`/lab/tree/lessons/pt-BR/mlp.ipynb?reset&dlviz-preset=mlp-spiral&token=${TOKEN}`);
  await page.locator('#jupyterlab-splash').waitFor({ state: 'detached', timeout: 120_000 });
  const nb = page.locator('.jp-NotebookPanel').filter({ has: page.locator('.jp-Notebook') });
  await expect(nb).toBeVisible({ timeout: 120_000 });

  // Every saved show.* output draws; the prompts are the saved ones, none waits ([*]).
  const outputs = nb.locator('.dlviz-output');
  await expect(outputs).toHaveCount(shown.length, { timeout: 60_000 });
  const last = code[code.length - 1].execution_count;
  expect(last).toBe(code.length);
  await expect(nb.locator('.jp-InputPrompt').filter({ hasText: `[${last}]` })).toHaveCount(1);
  await expect(nb.locator('.jp-InputPrompt').filter({ hasText: '[*]' })).toHaveCount(0);
  for (const [i, view] of shown.entries()) {
    const output = outputs.nth(i);
    await output.scrollIntoViewIfNeeded({ timeout: 10_000 });
    if (view === 'decision_boundary') {
      const plane = output.locator('canvas.dlviz-output-canvas');
      await expect(plane).toHaveAttribute('data-grid', /\d+/);
      expect(await colours(plane), `output ${i} (${view})`).toBeGreaterThan(10);
    } else {
      const charts = output.locator('svg.dlviz-chart');
      expect(await charts.count()).toBeGreaterThanOrEqual(1);
      // one point per training step of each curve: the lesson trains 300 full-batch steps
      expect(await charts.first().locator('circle').count()).toBeGreaterThanOrEqual(300);
    }
  }
  await outputs.first().screenshot({ path: path.join(ARTIFACTS, 'lesson-mlp-output.png') });

  // The panel opened on the lesson's preset: its title, instruction, locked and hidden fields.
  const panel = page.locator('#dlviz-lab-panel');
  await expect(panel).toBeVisible({ timeout: 60_000 });
  await expect(panel.getByTestId('dlviz-preset')).toHaveValue('mlp-spiral');
  await expect(panel.getByTestId('dlviz-preset-title')).toHaveText(spiral.title);
  await expect(panel.getByTestId('dlviz-preset-instruction')).toContainText(spiral.instruction);
  await expect(panel.getByTestId('dlviz-task')).toHaveValue('mlp.train');
  const source = panel.locator('#dlviz-mlp-train_data_source');
  await expect(source.locator('option:checked')).toHaveText('Spiral');
  await expect(source).toBeDisabled();
  await expect(panel.locator('#dlviz-mlp-train_model_hidden_2_neurons')).toHaveValue('4');
  await page.screenshot({ path: path.join(ARTIFACTS, 'lesson-mlp-preset.png') });

  // The lesson's other preset, picked by hand, fills the form with its network.
  await panel.getByTestId('dlviz-preset').selectOption('mlp-circle');
  await expect(panel.getByTestId('dlviz-preset-title')).toHaveText(circle.title);
  await expect(source.locator('option:checked')).toHaveText('Circle');
  await expect(panel.locator('#dlviz-mlp-train_model_hidden_1_neurons')).toHaveValue('2');
  await expect(panel.locator('#dlviz-mlp-train_model_hidden_2_neurons')).toHaveCount(0);
  await panel.getByTestId('dlviz-preset').selectOption('mlp-spiral');
  await expect(panel.getByTestId('dlviz-preset-title')).toHaveText(spiral.title);

  // Run: the playground of the preset's network (7 features, 8-8-4 tanh, one output).
  await panel.getByTestId('dlviz-run').click();
  const view = page.locator('.dlviz-mlp-view').first();
  await expect(view).toBeVisible({ timeout: 60_000 });
  await expect(view.locator('canvas.dlviz-mlp-neuron')).toHaveCount(7 + 8 + 8 + 4 + 1, {
    timeout: 60_000
  });
  await expect(view.locator('path.dlviz-mlp-link')).toHaveCount(7 * 8 + 8 * 8 + 8 * 4 + 4);
  const runs = await page.request.get('/dlviz-lab/api/runs', { headers: AUTH });
  const body = await runs.json();
  const run = (Array.isArray(body) ? body : body.runs).find((r: any) => r.task === 'mlp.train');
  expect(run.params.data.source).toBe('spiral');
  expect(run.params.features).toEqual(spiral.params.features);
  expect(run.params.model.hidden.map((layer: any) => layer.neurons)).toEqual([8, 8, 4]);
  expect(run.params.training.epochs).toBe(spiral.params.training.epochs);
  await page.screenshot({ path: path.join(ARTIFACTS, 'lesson-mlp-run.png') });
  // Pause: the tests share one kernel machine.
  await playgroundTo(view, 'idle');

  expect(blocked, `requests that tried to leave the Jupyter server: ${blocked.join(', ')}`).toEqual(
    []
  );
});

test("a Transformer lesson's preset link: Run opens the attention view on the preset's picture (the model view)", async ({
  page,
  baseURL
}) => {
  const file = path.resolve(
    __dirname,
    '..',
    '..',
    'examples',
    'lessons',
    'en',
    'transformer.ipynb'
  );
  const notebook = JSON.parse(fs.readFileSync(file, 'utf8'));
  const preset = notebook.metadata.dlviz.presets.find((p: any) => p.name === 'transformer-train');
  expect(preset.view).toBe('model');
  const blocked = await blockOtherHosts(page, baseURL!);
  await putLesson(page, 'lessons/en/transformer.ipynb', notebook);

  await page.goto(
    `/lab/tree/lessons/en/transformer.ipynb?reset&dlviz-preset=transformer-train&token=${TOKEN}`
  );
  await page.locator('#jupyterlab-splash').waitFor({ state: 'detached', timeout: 120_000 });
  const panel = page.locator('#dlviz-lab-panel');
  await expect(panel).toBeVisible({ timeout: 60_000 });
  await expect(panel.getByTestId('dlviz-preset')).toHaveValue('transformer-train');
  await panel.getByTestId('dlviz-run').click();

  // The trained run's view opens on the model view: the picker says so, and the picture drawn is
  // the model view's grid of layers and heads (1 layer, 2 heads), not the head view.
  const view = page.locator('.dlviz-attention-view').first();
  await expect(view).toBeVisible({ timeout: 120_000 });
  const content = view.locator('.dlviz-view-content');
  await expect(content).toHaveAttribute('data-shown-part', 'model', { timeout: 60_000 });
  await expect(view.getByTestId('dlviz-view-kind')).toHaveValue('model');
  const frame = view.locator('iframe.dlviz-view-frame').contentFrame();
  await expect(frame.locator('#vis svg text').filter({ hasText: /^Layers$/ })).toBeVisible({
    timeout: 60_000
  });
  await expect(frame.locator('#vis svg text').filter({ hasText: /^Heads$/ })).toBeVisible();
  await page.screenshot({ path: path.join(ARTIFACTS, 'lesson-transformer-model-view.png') });

  expect(blocked, `requests that tried to leave the Jupyter server: ${blocked.join(', ')}`).toEqual(
    []
  );
});
