/**
 * Jest runs the unit tests of the frontend (tests/js) with ts-jest, in jsdom.
 * The modules under test (arrays, sse, logic, views/bertviz) import nothing from JupyterLab;
 * the ESM packages of @jupyterlab and @lumino are still transformed should a test reach them.
 */
const esModules = ['@jupyterlab', '@lumino', '@jupyter', '@rjsf', 'lib0', 'y-protocols', 'yjs', 'nanoid'].join('|');

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
  moduleNameMapper: {
    '\\.(css|svg)$': '<rootDir>/tests/js/fileMock.js'
  }
};
