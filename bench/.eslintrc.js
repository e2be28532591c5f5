// The benchmarks drive the backend plugin's queue classes directly (the code
// a backend instance runs), which the plugin does not export publicly; and
// the baselines they compare with (graphile-worker) are dev dependencies of
// this private workspace alone, never of an OpsHub package.
module.exports = require('@backstage/cli/config/eslint-factory')(__dirname, {
  rules: {
    '@backstage/no-forbidden-package-imports': 'off',
    '@backstage/no-undeclared-imports': 'off',
  },
});
