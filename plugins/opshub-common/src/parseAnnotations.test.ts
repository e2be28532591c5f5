import type { Entity } from '@backstage/catalog-model';
import { parseOpsHubAnnotations } from './parseAnnotations';

function component(annotations?: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'storefront', annotations },
    spec: {},
  };
}

describe('parseOpsHubAnnotations', () => {
  it('reads every OpsHub annotation', () => {
    const result = parseOpsHubAnnotations(
      component({
        'github.com/project-slug': 'acme/storefront',
        'opshub.dev/preview-provider': 'vercel',
        'vercel.com/project-id': 'prj_123',
        'netlify.com/site-id': 'site-9',
        'slack.com/bot-notify': '#storefront',
        'backstage.io/techdocs-ref': 'dir:.',
      }),
    );

    expect(result).toEqual({
      annotations: {
        projectSlug: 'acme/storefront',
        previewProvider: 'vercel',
        vercelProjectId: 'prj_123',
        netlifySiteId: 'site-9',
        slackChannel: '#storefront',
      },
      problems: [],
    });
  });

  it('returns nothing for an entity without annotations', () => {
    expect(parseOpsHubAnnotations(component())).toEqual({
      annotations: {},
      problems: [],
    });
  });

  it('reports malformed values and keeps the valid ones', () => {
    const result = parseOpsHubAnnotations(
      component({
        'github.com/project-slug': 'not a slug',
        'opshub.dev/preview-provider': 'heroku',
        'slack.com/bot-notify': '   ',
        'vercel.com/project-id': 'prj_1',
      }),
    );

    expect(result.annotations).toEqual({ vercelProjectId: 'prj_1' });
    expect(result.problems).toEqual([
      {
        annotation: 'github.com/project-slug',
        message: 'must be "owner/repo"',
      },
      {
        annotation: 'opshub.dev/preview-provider',
        message: 'must be one of vercel, netlify, mock',
      },
      { annotation: 'slack.com/bot-notify', message: 'must not be empty' },
    ]);
  });

  it.each([
    ['acme/storefront', true],
    ['Acme-Corp/store.front_v2', true],
    ['-acme/storefront', false],
    ['acme/', false],
    ['acme/store/front', false],
    [`${'a'.repeat(40)}/repo`, false],
  ])('checks the repository slug %p', (slug, valid) => {
    const result = parseOpsHubAnnotations(
      component({ 'github.com/project-slug': slug }),
    );
    expect(result.annotations.projectSlug).toBe(valid ? slug : undefined);
  });
});
