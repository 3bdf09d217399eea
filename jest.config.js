/**
 * Jest runs the unit tests of the frontend (tests/js) with ts-jest, in jsdom.
 * Most modules under test import nothing from JupyterLab; the view registry does (every view),
 * so the ESM packages of @jupyterlab, @lumino and their web components are transformed, and
 * tests/js/jsdomGaps.js adds the two browser features jsdom lacks that they need at import.
 */
const esModules = [
  '@microsoft',
  'exenv-es6',
  '@jupyterlab',
  '@lumino',
  '@jupyter',
  '@rjsf',
  'lib0',
  'y-protocols',
  'yjs',
  'nanoid'
].join('|');

module.exports = {
  rootDir: __dirname,
  roots: ['<rootDir>/tests/js'],
  testMatch: ['**/*.test.ts', '**/*.test.tsx'],
  testEnvironment: 'jsdom',
  moduleFileExtensions: ['ts', 'tsx', 'js', 'jsx', 'json'],
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: '<rootDir>/tests/js/tsconfig.json' }],
    '^.+\\.jsx?$': ['ts-jest', { tsconfig: '<rootDir>/tests/js/tsconfig.json' }]
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esModules}))`],
  setupFiles: ['<rootDir>/tests/js/jsdomGaps.js'],
  moduleNameMapper: {
    '\\.(css|svg)$': '<rootDir>/tests/js/fileMock.js'
  }
};
