// The benchmarks drive the backend plugin's queue classes directly (the code
// a backend instance runs), which the plugin does not export publicly; and
// the baselines they compare with (graphile-worker) are dev dependencies of
// this private workspace alone, never of an OpsHub package. The reliability
// rows run OpsHub in-process with the plugin's own test utilities
// (`src/__testUtils__`), the ones its jest tests use.
module.exports = require('@backstage/cli/config/eslint-factory')(__dirname, {
  rules: {
    '@backstage/no-forbidden-package-imports': 'off',
    '@backstage/no-undeclared-imports': 'off',
    '@backstage/no-mixed-plugin-imports': 'off',
    'no-restricted-imports': 'off',
  },
});
