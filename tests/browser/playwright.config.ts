import { defineConfig } from '@playwright/test';
import * as path from 'path';

const port = Number(process.env.DLVIZ_TEST_PORT || 8899);
const root = path.resolve(__dirname, '..', '..');
const python = process.env.DLVIZ_PYTHON || path.join(root, '.venv', 'bin', 'python');

export default defineConfig({
  testDir: __dirname,
  testMatch: '*.spec.ts',
  // One folder per port, so two suites on one machine don't clear each other's files.
  outputDir: path.join(root, 'test-results', String(port)),
  // Model runs on a 2-core CPU: give each test room, but run them one at a time.
  timeout: 240_000,
  expect: { timeout: 60_000 },
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    viewport: { width: 1400, height: 900 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync'
      ]
    }
  },
  webServer: {
    command: `${python} ${path.join(__dirname, 'start_lab.py')}`,
    url: `http://127.0.0.1:${port}/api/status?token=dlviz-browser-test`,
    timeout: 120_000,
    reuseExistingServer: false,
    // start_lab.py stops its server (kernels included) on SIGTERM; SIGKILL only as a last resort.
    gracefulShutdown: { signal: 'SIGTERM', timeout: 30_000 },
    stdout: 'pipe',
    stderr: 'pipe'
  }
});
