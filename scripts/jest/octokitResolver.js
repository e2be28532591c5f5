// Octokit's packages publish only an `import` export condition. Node 22
// resolves them for the backend at run time (require(esm)); jest's CommonJS
// resolver does not, so for @octokit/* alone it resolves with `import` too,
// and the Backstage jest transform turns the ESM it finds into CommonJS.
//
// Each package that uses it gives itself its own jest `id` in package.json: Backstage derives the id
// from the transform alone, and jest's workers keep one resolver per id, so
// without it a repo-wide run could resolve these tests with another package's
// default resolver.
module.exports = (request, options) =>
  options.defaultResolver(
    request,
    request.startsWith('@octokit/')
      ? { ...options, conditions: ['node', 'import', 'default'] }
      : options,
  );
