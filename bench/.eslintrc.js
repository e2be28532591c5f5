// The benchmarks drive the backend plugin's queue classes directly (the code
// a backend instance runs), which the plugin does not export publicly.
module.exports = require('@backstage/cli/config/eslint-factory')(__dirname, {
  rules: { '@backstage/no-forbidden-package-imports': 'off' },
});
