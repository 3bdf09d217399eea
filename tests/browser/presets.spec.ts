/**
 * Course presets (docs/presets.md). start_lab.py gives JupyterLab an application settings folder
 * whose overrides.json holds the enforced preset `mlp-lesson` (mlp.train, seeds fixed), as a
 * course image would: a fresh user sees it, its locked field cannot be changed, the server
 * refuses a request outside it, a link opens the panel on it (and on a preset that travels in a
 * notebook's metadata, whose Run opens the CNN explorer on the section the preset names), and
 * Run opens the playground of the preset's network.
 */
import { expect, Page, test } from '@playwright/test';
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

const AUTH = { Authorization: `token ${TOKEN}` };

/** A lesson notebook carrying its own preset in metadata.dlviz.presets. */
const LESSON = {
  nbformat: 4,
  nbformat_minor: 5,
  metadata: {
    kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' },
    dlviz: {
      presets: [
        {
          name: 'cnn-notebook',
          title: 'From the lesson notebook',
          instruction: 'Look at the filters after one epoch.',
          task: 'cnn.train',
          params: { training: { epochs: 1 }, data: { samples: 200 } },
          locked: ['blocks', 'training.epochs'],
          hidden: ['dense'],
          view: 'summary'
        }
      ]
    }
  },
  cells: [
    {
      cell_type: 'markdown',
      id: 'intro',
      metadata: {},
      source: 'A lesson with a preset in its metadata.'
    }
  ]
};

async function waitForLab(page: Page): Promise<void> {
  await page.locator('#jupyterlab-splash').waitFor({ state: 'detached', timeout: 120_000 });
  await expect(page.locator('.jp-LabShell')).toBeVisible();
}

test('a course preset from overrides.json: picked, locked, enforced, linked and run', async ({
  page,
  baseURL
}) => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const blocked = await blockOtherHosts(page, baseURL!);

  // The server lists the admin's preset as trusted and enforced.
  const listing = await page.request.get('/dlviz-lab/api/presets', { headers: AUTH });
  expect(listing.status()).toBe(200);
  const listed = (await listing.json()).presets.find((p: any) => p.name === 'mlp-lesson');
  expect(listed).toMatchObject({ task: 'mlp.train', enforce: true, locked: ['training.seed'] });

  // A fresh user (a reset workspace, no settings of their own) sees it in the picker.
  await openLab(page);
  await openPanelFromPalette(page);
  const panel = page.locator('#dlviz-lab-panel');
  const picker = panel.getByTestId('dlviz-preset');
  await expect(picker.locator('option[value="mlp-lesson"]')).toHaveText(
    'Lesson 1: a small network on the circle (course)'
  );
  await picker.selectOption('mlp-lesson');
  await expect(panel.getByTestId('dlviz-task')).toHaveValue('mlp.train');
  await expect(panel.getByTestId('dlviz-preset-title')).toHaveText(
    'Lesson 1: a small network on the circle'
  );
  await expect(panel.getByTestId('dlviz-preset-instruction')).toContainText('Keep the seeds');
  await expect(panel.getByTestId('dlviz-preset-enforced')).toBeVisible();
  const seed = panel.locator('#dlviz-mlp-train_training_seed');
  await expect(seed).toHaveValue('0');
  await expect(seed).toBeDisabled();
  await expect(panel.locator('#dlviz-mlp-train_data_seed')).toHaveCount(0); // hidden
  const epochs = panel.locator('#dlviz-mlp-train_training_epochs');
  await expect(epochs).toHaveValue('30');
  await expect(epochs).toBeEnabled();
  await expect(panel.locator('#dlviz-mlp-train_model_hidden_0_neurons')).toHaveValue('3');
  await page.screenshot({ path: path.join(ARTIFACTS, 'presets-panel.png') });

  // A request outside the preset, sent by hand, is refused before any kernel, naming the field.
  const refused = await page.evaluate(async token => {
    const answer = await fetch('/dlviz-lab/api/runs', {
      method: 'POST',
      headers: { Authorization: `token ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ task: 'mlp.train', params: { training: { seed: 5, epochs: 1 } } })
    });
    return { status: answer.status, body: await answer.text() };
  }, TOKEN);
  expect(refused.status).toBe(400);
  expect(refused.body).toContain('training.seed');

  // "Copy preset" gives the form as preset JSON, the course preset's locks kept.
  await panel.getByTestId('dlviz-copy-preset').click();
  const json = page.getByTestId('dlviz-preset-json');
  await expect(json).toBeVisible();
  const copied = JSON.parse(await json.inputValue());
  expect(copied).toMatchObject({
    name: 'mlp-lesson',
    task: 'mlp.train',
    locked: ['training.seed'],
    params: { training: { epochs: 30 }, model: { hidden: [{ neurons: 3 }] } }
  });
  await page.locator('.jp-Dialog .jp-mod-accept').click();
  await expect(json).toHaveCount(0);

  // A link to a notebook with its own preset: the panel waits for the notebook, then shows it.
  const put = await page.request.put('/api/contents/lesson-presets.ipynb', {
    headers: AUTH,
    data: { type: 'notebook', format: 'json', content: LESSON }
  });
  expect(put.status(), await put.text()).toBeLessThan(300);
  await page.goto(`/lab/tree/lesson-presets.ipynb?reset&dlviz-preset=cnn-notebook&token=${TOKEN}`);
  await waitForLab(page);
  await expect(panel).toBeVisible({ timeout: 60_000 });
  await expect(panel.getByTestId('dlviz-preset-title')).toHaveText('From the lesson notebook');
  await expect(panel.getByTestId('dlviz-task')).toHaveValue('cnn.train');
  await expect(panel.getByTestId('dlviz-preset')).toHaveValue('cnn-notebook');
  await expect(panel.locator('#dlviz-cnn-train_blocks_0_filters')).toBeDisabled();
  await expect(panel.locator('#dlviz-cnn-train_training_epochs')).toBeDisabled();
  await expect(panel.locator('#dlviz-cnn-train_data_samples')).toHaveValue('200');
  await expect(panel.locator('[id^="dlviz-cnn-train_dense"]')).toHaveCount(0);
  // not the server's: no enforcement note
  await expect(panel.getByTestId('dlviz-preset-enforced')).toHaveCount(0);
  // Run: the CNN explorer opens on the part the preset names, its last section.
  await panel.getByTestId('dlviz-run').click();
  const explorer = page.locator('.dlviz-cnn-content');
  await expect(explorer).toHaveAttribute('data-shown-part', 'summary', { timeout: 120_000 });
  const summary = explorer.locator('.dlviz-section[data-part="summary"]');
  await expect(summary).toHaveAttribute('open', '');
  await expect(summary).toBeInViewport();
  await expect(explorer.locator('.dlviz-section[data-part="input"]')).not.toBeInViewport();

  // The course preset's link opens the panel on it; Run gives the playground of its network.
  await page.goto(`/lab?reset&dlviz-preset=mlp-lesson&token=${TOKEN}`);
  await waitForLab(page);
  await expect(panel).toBeVisible({ timeout: 60_000 });
  await expect(panel.getByTestId('dlviz-preset-title')).toHaveText(
    'Lesson 1: a small network on the circle'
  );
  await expect(panel.locator('#dlviz-mlp-train_training_seed')).toBeDisabled();
  await panel.getByTestId('dlviz-run').click();
  const view = page.locator('.dlviz-mlp-view').first();
  await expect(view).toBeVisible({ timeout: 60_000 });
  // 2 features, the preset's 3 hidden neurons, 1 output; 2*3 + 3*1 links
  await expect(view.locator('canvas.dlviz-mlp-neuron')).toHaveCount(6, { timeout: 60_000 });
  await expect(view.locator('path.dlviz-mlp-link')).toHaveCount(9);
  await page.screenshot({ path: path.join(ARTIFACTS, 'presets-run.png') });
  const runs = await page.request.get('/dlviz-lab/api/runs', { headers: AUTH });
  const body = await runs.json();
  const mine = (Array.isArray(body) ? body : body.runs).find((r: any) => r.task === 'mlp.train');
  expect(mine.params.training).toMatchObject({ seed: 0, epochs: 30 });
  expect(mine.params.data.seed).toBe(0);
  expect(mine.params.model.hidden).toEqual([{ neurons: 3, activation: 'tanh' }]);
  // each run says the preset its form came from
  expect(mine.preset).toBe('mlp-lesson');
  const all = Array.isArray(body) ? body : body.runs;
  const cnnRun = all.find((r: any) => r.task === 'cnn.train');
  expect(cnnRun.preset).toBe('cnn-notebook');
  // A run started without the panel (the REST API, as a script would) has none.
  const plain = await page.request.post('/dlviz-lab/api/runs', {
    headers: AUTH,
    data: { task: 'mlp.train', params: { training: { epochs: 0 } } }
  });
  expect(plain.status(), await plain.text()).toBe(202);
  const plainId = (await plain.json()).id;

  // The class at a glance: the runs under their presets, in the order the lesson used them (the
  // other specs' runs, on the same server, come in their own groups), the others last.
  await runFromPalette(page, 'Open the class at a glance', () =>
    expect(page.getByTestId('dlviz-glance')).toBeVisible({ timeout: 2000 })
  );
  const glance = page.getByTestId('dlviz-glance');
  const group = (name: string) => glance.locator(`.dlviz-glance-group[data-preset="${name}"]`);
  await expect(group('').locator(`tr[data-run="${plainId}"]`)).toHaveCount(1, {
    timeout: 30_000
  });
  await expect(group('cnn-notebook').locator('tr')).toHaveCount(1);
  await expect(group('cnn-notebook').locator(`tr[data-run="${cnnRun.id}"]`)).toHaveCount(1);
  await expect(group('mlp-lesson').locator('tr')).toHaveCount(1);
  await expect(group('mlp-lesson').locator(`tr[data-run="${mine.id}"]`)).toHaveCount(1);
  await expect(group('mlp-lesson').locator('h3')).toContainText(
    'Lesson 1: a small network on the circle'
  );
  const order = await glance
    .locator('.dlviz-glance-group')
    .evaluateAll(nodes => nodes.map(node => (node as HTMLElement).dataset.preset));
  expect(order.indexOf('cnn-notebook')).toBeLessThan(order.indexOf('mlp-lesson'));
  expect(order[order.length - 1]).toBe('');
  await page.screenshot({ path: path.join(ARTIFACTS, 'presets-class-at-a-glance.png') });
  // Open the CNN run's view, then Next: the playground of the lesson's next preset.
  await group('cnn-notebook').getByRole('button', { name: 'Open' }).click();
  await expect(glance).toHaveAttribute('data-current', cnnRun.id);
  await expect(page.locator('.dlviz-cnn-content').first()).toBeVisible();
  await glance.getByTestId('dlviz-glance-next').click();
  await expect(glance).toHaveAttribute('data-current', mine.id);
  await expect(page.locator('.dlviz-mlp-view').first()).toBeVisible();
  await expect(group('mlp-lesson').locator('tr.dlviz-mod-current')).toHaveCount(1);
  // After a page reload it is back, with the runs.
  await page.reload();
  await waitForLab(page);
  await expect(group('cnn-notebook').locator(`tr[data-run="${cnnRun.id}"]`)).toHaveCount(1, {
    timeout: 60_000
  });
  expect(blocked).toEqual([]);
});
