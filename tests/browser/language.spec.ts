/**
 * JupyterLab in Português (Brasil): with the pt-BR language pack chosen, the DL Viz panel, the
 * task forms (the catalog answers in the user's language) and a docked view speak Portuguese.
 * The choices of a select show their translated labels and Run sends their values.
 * The language is a setting of the shared test server: it goes back to English at the end, even
 * when the test fails.
 */
import { expect, test } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';

import {
  ARTIFACTS,
  blockOtherHosts,
  openLab,
  openPanelFromSidebar,
  setLabLanguage,
  TOKEN
} from './lab';

test('in Portuguese (Brazil) the panel, the form and a docked view are in Portuguese', async ({
  page,
  baseURL
}) => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const blocked = await blockOtherHosts(page, baseURL!);
  await openLab(page);
  await setLabLanguage(page, 'pt_BR');
  try {
    await openLab(page);
    // JupyterLab's own words first: the language pack is installed and chosen. (Its pt-BR pack
    // leaves the menu bar in English, "File"; the launcher's tab is "Iniciador".)
    await expect(page.locator('.lm-TabBar-tab', { hasText: /^Iniciador$/ }).first()).toBeVisible();

    await openPanelFromSidebar(page);
    const panel = page.locator('#dlviz-lab-panel');
    const task = panel.getByTestId('dlviz-task');
    // The catalog answers in Portuguese: task titles and form labels.
    await expect(task.locator('option[value="transformer.attention"]')).toHaveText(
      'Atenção num transformer'
    );
    await task.selectOption('cnn.train');
    await expect(panel.getByText(/^Taxa de aprendizado/).first()).toBeVisible();
    await expect(panel.getByText(/^Épocas/).first()).toBeVisible();

    // The panel's own words.
    const taskField = panel.locator('.dlviz-field', { has: page.getByTestId('dlviz-task') });
    await expect(taskField.locator('span').first()).toHaveText('Tarefa');
    await expect(panel.getByTestId('dlviz-run')).toHaveText('Executar');
    await expect(panel.getByTestId('dlviz-kernel').locator('option[value="scratch"]')).toHaveText(
      'Kernel de rascunho'
    );

    // A short run, and its docked view.
    await task.selectOption('transformer.attention');
    await panel.locator('textarea').first().fill('The cat sleeps.');
    await panel.getByTestId('dlviz-run').click();
    await expect(panel.getByTestId('dlviz-status')).toContainText('concluída', {
      timeout: 180_000
    });
    const view = page.locator('.dlviz-view').first();
    await expect(view).toBeVisible();
    await expect(view).toContainText('Modelo');
    await expect(page.locator('.lm-TabBar-tab', { hasText: /^Atenção/ }).first()).toBeVisible();
    await page.screenshot({ path: path.join(ARTIFACTS, 'language-pt-BR.png') });

    // The choices of a select are in Portuguese (the schema's x-enum-labels, translated by the
    // server), also inside a list of blocks; Run still sends the values ('sgd', not the words).
    await task.selectOption('cnn.train');
    const optimizer = panel.locator('select[id$="training_optimizer"]');
    await expect(optimizer.locator('option')).toHaveText(['Adam', 'SGD com momento', 'RMSprop']);
    await expect(panel.locator('select[id$="blocks_0_pooling"] option:checked')).toHaveText(
      'Pooling pelo máximo'
    );
    await optimizer.selectOption({ label: 'SGD com momento' });
    await panel.locator('input[id$="training_epochs"]').fill('1');
    const [created] = await Promise.all([
      page.waitForResponse(
        r => r.url().includes('/dlviz-lab/api/runs') && r.request().method() === 'POST'
      ),
      panel.getByTestId('dlviz-run').click()
    ]);
    expect(created.request().postDataJSON().params.training.optimizer).toBe('sgd');
    const runId = (await created.json()).id;
    await expect(panel.getByTestId('dlviz-status')).toContainText('concluída', {
      timeout: 180_000
    });
    const { runs } = await (await page.request.get(`/dlviz-lab/api/runs?token=${TOKEN}`)).json();
    const run = runs.find((r: any) => r.id === runId);
    expect(run.params.training.optimizer).toBe('sgd');
    expect(run.params.blocks[0].pooling).toBe('max');

    expect(
      blocked,
      `requests that tried to leave the Jupyter server: ${blocked.join(', ')}`
    ).toEqual([]);
  } finally {
    await setLabLanguage(page, 'en');
  }
});
