import { expect, Locator, Page, test } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';
import { ARTIFACTS, blockOtherHosts, openLab, openPanelFromPalette, runFromPalette } from './lab';

/** The pixels of a canvas (its own resolution), as a list of numbers. */
async function pixels(canvas: Locator): Promise<number[]> {
  return canvas.evaluate((node: HTMLCanvasElement) => {
    const context = node.getContext('2d')!;
    return Array.from(context.getImageData(0, 0, node.width, node.height).data);
  });
}

async function decodes(canvas: Locator): Promise<number> {
  return Number(await canvas.getAttribute('data-decodes'));
}

/** Hover a point of the scatter (fractions of its box) and wait for its decoded image. */
async function hoverAt(page: Page, scatter: Locator, decoded: Locator, fx: number, fy: number) {
  const before = await decodes(decoded);
  const box = (await scatter.boundingBox())!;
  await page.mouse.move(box.x + fx * box.width, box.y + fy * box.height, { steps: 3 });
  await expect.poll(() => decodes(decoded), { timeout: 60_000 }).toBeGreaterThan(before);
  // the pointer stopped: the last answer is the one for this point
  await page.waitForTimeout(300);
  await expect
    .poll(async () => decoded.getAttribute('data-code'), { timeout: 30_000 })
    .toBeTruthy();
  return pixels(decoded);
}

test('autoencoder.train opens the autoencoder explorer: hover decodes, a drawing lands, interpolation, PCA, export, reload', async ({
  page,
  baseURL
}) => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const blocked = await blockOtherHosts(page, baseURL!);
  await openLab(page);
  await openPanelFromPalette(page);

  // The default form as it is: a dense autoencoder with a 2-D latent space on the 8x8 digits,
  // 40 epochs (seconds on a quiet 2-core machine; minutes when other suites share it).
  test.setTimeout(600_000);
  const panel = page.locator('#dlviz-lab-panel');
  await panel.getByTestId('dlviz-task').selectOption('autoencoder.train');
  await expect(panel.locator('input[id$="training_epochs"]')).toHaveValue('40');
  await panel.getByTestId('dlviz-run').click();
  const monitor = page.locator('.dlviz-monitor').first();
  await expect(monitor).toBeVisible({ timeout: 30_000 });
  await expect(panel.getByTestId('dlviz-status')).toContainText('succeeded', { timeout: 400_000 });
  // The monitor drew the reconstruction error of every epoch (live, then from the result); a
  // plain autoencoder has no KL term, so no KL chart.
  const reconChart = monitor.getByTestId('dlviz-recon-chart');
  await expect(reconChart).toHaveAttribute('data-epochs', '40', { timeout: 30_000 });
  await expect(monitor.getByTestId('dlviz-kl-chart')).toBeHidden();

  const view = page.locator('.dlviz-ae-view').first();
  await expect(view).toBeVisible({ timeout: 60_000 });
  const latent = view.getByTestId('dlviz-ae-latent');
  await expect(latent).toHaveAttribute('data-points', /^[1-9]\d+$/);
  await expect(latent).toHaveAttribute('data-method', 'identity');
  await page.screenshot({ path: path.join(ARTIFACTS, 'autoencoder-explorer.png') });

  // Hover two far-apart points: each is decoded on the kernel and the images differ.
  const scatter = view.getByTestId('dlviz-ae-scatter');
  const decoded = view.getByTestId('dlviz-ae-decoded');
  await scatter.scrollIntoViewIfNeeded();
  const first = await hoverAt(page, scatter, decoded, 0.25, 0.3);
  const firstCode = await decoded.getAttribute('data-code');
  const second = await hoverAt(page, scatter, decoded, 0.75, 0.7);
  const secondCode = await decoded.getAttribute('data-code');
  expect(secondCode).not.toEqual(firstCode);
  expect(first.length).toBe(8 * 8 * 4);
  const changed = first.filter((v, i) => Math.abs(v - second[i]) > 8).length;
  expect(changed, 'pixels that changed between the two decoded points').toBeGreaterThan(20);
  await page.screenshot({ path: path.join(ARTIFACTS, 'autoencoder-hover.png') });

  // Draw a "1" on the pad: when the pen lifts, encode places it in the latent space.
  const pad = view.getByTestId('dlviz-ae-pad');
  await pad.scrollIntoViewIfNeeded();
  const padBox = (await pad.boundingBox())!;
  const cell = padBox.width / 8;
  await page.mouse.move(padBox.x + 4 * cell, padBox.y + 1 * cell);
  await page.mouse.down();
  await page.mouse.move(padBox.x + 4 * cell, padBox.y + 7 * cell, { steps: 12 });
  await page.mouse.up();
  await expect(latent).toHaveAttribute('data-encoded', /^-?\d+\.\d+,-?\d+\.\d+$/, {
    timeout: 60_000
  });
  const encoded = view.getByTestId('dlviz-ae-encoded');
  await expect(encoded.locator('canvas')).toHaveCount(2);
  // the cross sits at the code the kernel gave (a 2-D code is its own point)
  const code = (await encoded.getAttribute('data-code'))!.split(',').map(Number);
  const point = (await latent.getAttribute('data-encoded'))!.split(',').map(Number);
  expect(point[0]).toBeCloseTo(code[0], 3);
  expect(point[1]).toBeCloseTo(code[1], 3);
  await page.screenshot({ path: path.join(ARTIFACTS, 'autoencoder-drawn.png') });

  // Interpolate between validation images 0 and 5, along the sphere.
  const strip = view.getByTestId('dlviz-ae-interpolation-strip');
  await view.getByTestId('dlviz-ae-index-b').fill('5');
  await view.getByTestId('dlviz-ae-path').selectOption('spherical');
  await view.getByTestId('dlviz-ae-interpolate').click();
  await expect(strip).toHaveAttribute('data-images', '9', { timeout: 60_000 });
  await expect(strip).toHaveAttribute('data-path', 'spherical');
  await expect(strip.locator('canvas')).toHaveCount(9);
  const ends = await Promise.all([
    pixels(strip.locator('canvas').first()),
    pixels(strip.locator('canvas').last())
  ]);
  expect(ends[0]).not.toEqual(ends[1]);

  // The grid and the comparison with PCA came from the kernel on their own.
  await expect(view.getByTestId('dlviz-ae-grid')).toHaveAttribute('data-size', '10', {
    timeout: 60_000
  });
  const compare = view.getByTestId('dlviz-ae-compare');
  await expect(compare.locator('.dlviz-ae-compare-pictures')).toHaveAttribute('data-images', '8', {
    timeout: 60_000
  });
  const networkMse = Number(await compare.getAttribute('data-network-mse'));
  const pcaMse = Number(await compare.getAttribute('data-pca-mse'));
  expect(networkMse).toBeGreaterThan(0);
  expect(networkMse, 'the autoencoder beats PCA with 2 components').toBeLessThan(pcaMse);
  await expect(compare).toContainText('PCA, 2 components');
  await expect(view.getByTestId('dlviz-ae-mse-chart')).toHaveAttribute('data-points', '40');

  // Reconstructions per epoch: the slider goes back to before training.
  const recon = view.getByTestId('dlviz-ae-reconstructions');
  await expect(recon).toHaveAttribute('data-epoch', '40');
  await view.getByTestId('dlviz-ae-epoch-slider').fill('0');
  await expect(recon).toHaveAttribute('data-epoch', '0');
  await expect(recon.locator('.dlviz-slider-label')).toContainText('before training');
  await page.screenshot({ path: path.join(ARTIFACTS, 'autoencoder-sections.png'), fullPage: true });

  // Downloads: a PNG of the latent space and an offline HTML copy (no script, data: images).
  const [png] = await Promise.all([
    page.waitForEvent('download'),
    view.getByTestId('dlviz-download-png').click()
  ]);
  expect(png.suggestedFilename()).toMatch(/\.png$/);
  const pngPath = path.join(ARTIFACTS, 'autoencoder-export.png');
  await png.saveAs(pngPath);
  expect(fs.readFileSync(pngPath).subarray(1, 4).toString()).toBe('PNG');
  const [html] = await Promise.all([
    page.waitForEvent('download'),
    view.getByTestId('dlviz-download-html').click()
  ]);
  const htmlPath = path.join(ARTIFACTS, 'autoencoder-export.html');
  await html.saveAs(htmlPath);
  const doc = fs.readFileSync(htmlPath, 'utf8');
  expect(doc).toContain('Autoencoder explorer');
  expect(doc).toMatch(/<img[^>]+src="data:image\/png;base64,/);
  expect(doc).not.toMatch(/<script/i);
  expect(doc).not.toMatch(/src="(https?:|\/\/)/i);

  // The dark theme.
  await runFromPalette(page, 'Use Theme: JupyterLab Dark', () =>
    expect(page.locator('body')).toHaveAttribute('data-jp-theme-light', 'false', { timeout: 5000 })
  );
  await page.waitForTimeout(500);
  await page.screenshot({ path: path.join(ARTIFACTS, 'autoencoder-explorer-dark.png') });
  await runFromPalette(page, 'Use Theme: JupyterLab Light', () =>
    expect(page.locator('body')).toHaveAttribute('data-jp-theme-light', 'true', { timeout: 5000 })
  );

  // Restored after a reload, drawn again from the run and its kernel.
  await page.reload();
  await page.locator('#jupyterlab-splash').waitFor({ state: 'detached', timeout: 120_000 });
  await expect(page.locator('.dlviz-ae-view')).toHaveCount(1);
  const restored = page.locator('.dlviz-ae-view').first();
  await expect(restored.getByTestId('dlviz-ae-latent')).toHaveAttribute(
    'data-points',
    /^[1-9]\d+$/,
    { timeout: 60_000 }
  );
  await expect(restored.getByTestId('dlviz-ae-grid')).toHaveAttribute('data-size', '10', {
    timeout: 60_000
  });

  expect(blocked, `requests that tried to leave the Jupyter server: ${blocked.join(', ')}`).toEqual(
    []
  );
});
