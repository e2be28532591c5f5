// Octokit's packages publish only an `import` export condition. Node 22
// resolves them for the backend at run time (require(esm)); jest's CommonJS
// resolver does not, so for @octokit/* alone it resolves with `import` too,
// and the Backstage jest transform turns the ESM it finds into CommonJS.
module.exports = (request, options) =>
  options.defaultResolver(
    request,
    request.startsWith('@octokit/')
      ? { ...options, conditions: ['node', 'import', 'default'] }
      : options,
  );
