#!/usr/bin/env node
/*
 * Copy the scripts that offline views inline (d3 5, jQuery, require.js) from node_modules to
 * dlviz_lab/static/vendor/, where the server serves them as /dlviz-lab/assets/{name}.
 * Nothing is fetched from a CDN at run time.
 */
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..', '..');
const target = path.join(root, 'dlviz_lab', 'static', 'vendor');

const FILES = [
  ['d3', 'dist/d3.min.js', 'd3.min.js'],
  ['jquery', 'dist/jquery.min.js', 'jquery.min.js'],
  ['requirejs', 'require.js', 'require.js']
];

fs.mkdirSync(target, { recursive: true });
for (const [pkg, file, name] of FILES) {
  const source = require.resolve(`${pkg}/package.json`, { paths: [root] });
  const from = path.join(path.dirname(source), file);
  const version = require(source).version;
  fs.copyFileSync(from, path.join(target, name));
  console.log(
    `vendor: ${pkg}@${version} ${file} -> ${path.relative(root, path.join(target, name))}`
  );
}
