import {
  DeployErrorTaxonomy,
  OPSHUB_DEPLOY_ERROR_CODES,
} from './deployErrorTaxonomy';

describe('DeployErrorTaxonomy', () => {
  it('holds the built-in rows: GitHub, OpsHub’s own failures and the mock provider', () => {
    expect(DeployErrorTaxonomy.withBuiltInCodes().rows()).toEqual([
      { provider: 'github', code: 'error', errorClass: 'unknown' },
      { provider: 'github', code: 'failure', errorClass: 'build' },
      { provider: 'mock', code: 'MOCK_BUILD_FAILED', errorClass: 'build' },
      {
        provider: 'opshub',
        code: 'opshub.build-timeout',
        errorClass: 'timeout',
      },
      { provider: 'opshub', code: 'opshub.live-limit', errorClass: 'quota' },
      { provider: 'opshub', code: 'opshub.stuck', errorClass: 'stuck' },
      { provider: 'opshub', code: 'opshub.teardown', errorClass: 'cancelled' },
    ]);
  });

  describe('classifyDeployError', () => {
    const taxonomy = DeployErrorTaxonomy.withBuiltInCodes();
    taxonomy.addErrorCodes('acme', {
      QUOTA_HIT: 'quota',
      FLAKY: 'provider-outage',
    });
    const classify = taxonomy.classifyDeployError.bind(taxonomy);

    it('maps GitHub’s failure to build and error to unknown', () => {
      expect(classify({ provider: 'github', errorCode: 'failure' })).toBe(
        'build',
      );
      expect(classify({ provider: 'github', errorCode: 'error' })).toBe(
        'unknown',
      );
    });

    it('gives OpsHub’s own codes their class whatever the provider', () => {
      for (const provider of ['mock', 'acme', 'vercel']) {
        expect(
          classify({
            provider,
            errorCode: OPSHUB_DEPLOY_ERROR_CODES.stuck,
            reported: 'build',
          }),
        ).toBe('stuck');
      }
      expect(
        classify({
          provider: 'acme',
          errorCode: OPSHUB_DEPLOY_ERROR_CODES.buildTimeout,
        }),
      ).toBe('timeout');
      expect(
        classify({
          provider: 'acme',
          errorCode: OPSHUB_DEPLOY_ERROR_CODES.teardownDuringBuild,
        }),
      ).toBe('cancelled');
      expect(
        classify({
          provider: 'acme',
          errorCode: OPSHUB_DEPLOY_ERROR_CODES.liveLimit,
        }),
      ).toBe('quota');
    });

    it('prefers the table’s class of a provider’s code to the class it reported', () => {
      expect(
        classify({
          provider: 'acme',
          errorCode: 'QUOTA_HIT',
          reported: 'build',
        }),
      ).toBe('quota');
      expect(
        classify({ provider: 'mock', errorCode: 'MOCK_BUILD_FAILED' }),
      ).toBe('build');
    });

    it('looks a code up for its own provider only, and exactly', () => {
      expect(
        classify({
          provider: 'other',
          errorCode: 'QUOTA_HIT',
          reported: 'build',
        }),
      ).toBe('build');
      expect(
        classify({
          provider: 'acme',
          errorCode: 'quota_hit',
          reported: 'build',
        }),
      ).toBe('build');
      // A code named like an Object property is no row.
      expect(
        classify({
          provider: 'acme',
          errorCode: 'constructor',
          reported: 'timeout',
        }),
      ).toBe('timeout');
    });

    it('takes the reported class for a code not in the table, or without a code', () => {
      expect(
        classify({
          provider: 'acme',
          errorCode: 'NEW_CODE',
          reported: 'configuration',
        }),
      ).toBe('configuration');
      expect(classify({ provider: 'acme', reported: 'timeout' })).toBe(
        'timeout',
      );
      expect(
        classify({ provider: 'acme', errorCode: null, reported: 'quota' }),
      ).toBe('quota');
    });

    it('answers unknown with neither a known code nor a reported class', () => {
      expect(classify({ provider: 'acme', errorCode: 'NEW_CODE' })).toBe(
        'unknown',
      );
      expect(classify({ provider: 'acme' })).toBe('unknown');
      expect(classify({ provider: 'acme', reported: null })).toBe('unknown');
    });
  });

  describe('addErrorCodes', () => {
    it('adds a module’s rows beside the built-in ones', () => {
      const taxonomy = DeployErrorTaxonomy.withBuiltInCodes();
      taxonomy.addErrorCodes('acme', { LIMIT: 'quota' });
      taxonomy.addErrorCodes('acme', { DOWN: 'provider-outage' });
      expect(taxonomy.rows().filter(r => r.provider === 'acme')).toEqual([
        { provider: 'acme', code: 'DOWN', errorClass: 'provider-outage' },
        { provider: 'acme', code: 'LIMIT', errorClass: 'quota' },
      ]);
    });

    it('refuses a code registered twice for one provider, and adds nothing of that call', () => {
      const taxonomy = DeployErrorTaxonomy.withBuiltInCodes();
      taxonomy.addErrorCodes('acme', { LIMIT: 'quota' });
      expect(() =>
        taxonomy.addErrorCodes('acme', { NEW: 'build', LIMIT: 'build' }),
      ).toThrow(
        "Deploy error code LIMIT of provider 'acme' is already registered",
      );
      expect(() =>
        taxonomy.addErrorCodes('github', { failure: 'configuration' }),
      ).toThrow(expect.objectContaining({ name: 'ConflictError' }));
      expect(taxonomy.rows().filter(r => r.provider === 'acme')).toEqual([
        { provider: 'acme', code: 'LIMIT', errorClass: 'quota' },
      ]);
      expect(
        taxonomy.classifyDeployError({
          provider: 'github',
          errorCode: 'failure',
        }),
      ).toBe('build');
      // The same code for another provider is another row.
      taxonomy.addErrorCodes('other', { LIMIT: 'build' });
      expect(
        taxonomy.classifyDeployError({ provider: 'other', errorCode: 'LIMIT' }),
      ).toBe('build');
    });

    it('refuses OpsHub’s own provider, an empty provider or code, and a class that is none', () => {
      const taxonomy = DeployErrorTaxonomy.withBuiltInCodes();
      expect(() =>
        taxonomy.addErrorCodes('opshub', { 'opshub.other': 'build' }),
      ).toThrow("provider 'opshub' are OpsHub's own");
      expect(() => taxonomy.addErrorCodes('', { X: 'build' })).toThrow(
        expect.objectContaining({ name: 'InputError' }),
      );
      expect(() => taxonomy.addErrorCodes('acme', { '': 'build' })).toThrow(
        expect.objectContaining({ name: 'InputError' }),
      );
      expect(() =>
        taxonomy.addErrorCodes('acme', { X: 'flaky' as 'build' }),
      ).toThrow(
        /Invalid deploy error codes for provider 'acme': codes.X: Invalid option/,
      );
      expect(taxonomy.rows().some(r => r.provider === 'acme')).toBe(false);
    });
  });
});
