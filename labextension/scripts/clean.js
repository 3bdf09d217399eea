#!/usr/bin/env node
/* Remove what the build writes: lib/, the labextension, the vendor copies, tsbuildinfo. */
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..', '..');
for (const rel of [
  'lib',
  'tsconfig.tsbuildinfo',
  'dlviz_lab/labextension',
  'dlviz_lab/static/vendor'
]) {
  fs.rmSync(path.join(root, rel), { recursive: true, force: true });
}
