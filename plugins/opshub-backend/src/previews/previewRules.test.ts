import { ConfigReader } from '@backstage/config';
import {
  decidePreview,
  defaultPreviewRules,
  readPreviewRules,
  rulesForEntity,
} from './previewRules';

const pr = {
  author: 'octocat',
  draft: false,
  labels: [],
  headSha: 'a'.repeat(40),
  fromFork: false,
};

describe('preview rules', () => {
  it('builds an ordinary PR', () => {
    expect(decidePreview(defaultPreviewRules, pr, null)).toEqual({
      action: 'build',
    });
  });

  it('lets drafts wait unless the entity builds them', () => {
    const draft = { ...pr, draft: true };
    expect(decidePreview(defaultPreviewRules, draft, null)).toEqual({
      action: 'wait',
      reason: 'draft',
    });
    const rules = rulesForEntity(defaultPreviewRules, {
      'opshub.dev/preview-build-drafts': 'true',
    });
    expect(decidePreview(rules, draft, null).action).toBe('build');
  });

  it('tears down for the skip label and for bot authors', () => {
    expect(
      decidePreview(
        defaultPreviewRules,
        { ...pr, labels: ['opshub/skip'] },
        null,
      ),
    ).toEqual({ action: 'teardown', reason: 'labelled opshub/skip' });
    expect(
      decidePreview(
        defaultPreviewRules,
        { ...pr, author: 'Dependabot[bot]' },
        null,
      ).action,
    ).toBe('teardown');
  });

  it('holds fork PRs until their current head is approved', () => {
    const fork = { ...pr, fromFork: true };
    expect(decidePreview(defaultPreviewRules, fork, null).action).toBe(
      'await-approval',
    );
    expect(
      decidePreview(defaultPreviewRules, fork, 'b'.repeat(40)).action,
    ).toBe('await-approval');
    expect(decidePreview(defaultPreviewRules, fork, pr.headSha).action).toBe(
      'build',
    );
  });

  it('reads config defaults and lets annotations override them', () => {
    const rules = readPreviewRules(
      new ConfigReader({
        skipLabel: 'no-preview',
        skipAuthors: ['Bot-A'],
        ttl: { hours: 12 },
        maxLive: 3,
      }),
    );
    expect(rules).toEqual({
      buildDrafts: false,
      skipLabel: 'no-preview',
      skipAuthors: ['bot-a'],
      ttlMs: 12 * 3600_000,
      maxLive: 3,
    });
    expect(
      rulesForEntity(rules, {
        'opshub.dev/preview-skip-label': 'wip',
        'opshub.dev/preview-skip-authors': 'x, Y',
        'opshub.dev/preview-ttl-hours': '2',
        'opshub.dev/preview-max-live': '20',
      }),
    ).toEqual({
      buildDrafts: false,
      skipLabel: 'wip',
      skipAuthors: ['x', 'y'],
      ttlMs: 2 * 3600_000,
      maxLive: 20,
    });
    // Invalid values are ignored.
    expect(
      rulesForEntity(rules, {
        'opshub.dev/preview-ttl-hours': 'soon',
        'opshub.dev/preview-build-drafts': 'yes',
        'opshub.dev/preview-max-live': '-1',
      }),
    ).toEqual(rules);
  });
});
