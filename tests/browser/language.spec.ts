/**
 * JupyterLab in Português (Brasil): with the pt-BR language pack chosen, the DL Viz panel, the
 * task forms (the catalog answers in the user's language) and a docked view speak Portuguese.
 * The language is a setting of the shared test server: it goes back to English at the end, even
 * when the test fails.
 */
import { expect, test } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';

import { ARTIFACTS, blockOtherHosts, openLab, openPanelFromSidebar, setLabLanguage } from './lab';

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
    await expect(panel.locator('.dlviz-field > span').first()).toHaveText('Tarefa');
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

    expect(
      blocked,
      `requests that tried to leave the Jupyter server: ${blocked.join(', ')}`
    ).toEqual([]);
  } finally {
    await setLabLanguage(page, 'en');
  }
});
