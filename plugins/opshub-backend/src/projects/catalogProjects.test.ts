import { mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { findProjectsInCatalog } from './catalogProjects';

function entity(
  kind: string,
  name: string,
  annotations: Record<string, string>,
  owner?: string,
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind,
    metadata: { name, namespace: 'default', annotations },
    spec: owner ? { owner } : {},
  };
}

describe('findProjectsInCatalog', () => {
  const catalog = catalogServiceMock({
    entities: [
      entity(
        'Component',
        'web',
        {
          'github.com/project-slug': 'Acme/Web',
          'opshub.dev/preview-provider': 'vercel',
        },
        'team-web',
      ),
      entity('Component', 'docs', { 'github.com/project-slug': 'acme/web' }),
      entity('Component', 'api', { 'github.com/project-slug': 'acme/api' }),
      entity('API', 'web-api', { 'github.com/project-slug': 'acme/web' }),
    ],
  });

  it('maps the Components naming a repository as the sync does, whatever the case', async () => {
    await expect(
      findProjectsInCatalog({ catalog, auth: mockServices.auth() }, 'ACME/web'),
    ).resolves.toEqual([
      {
        entityRef: 'component:default/docs',
        repoSlug: 'acme/web',
        previewProvider: undefined,
        ownerRef: undefined,
      },
      {
        entityRef: 'component:default/web',
        repoSlug: 'Acme/Web',
        previewProvider: 'vercel',
        ownerRef: 'group:default/team-web',
      },
    ]);
  });

  it('finds nothing for a repository no Component names', async () => {
    await expect(
      findProjectsInCatalog(
        { catalog, auth: mockServices.auth() },
        'acme/nope',
      ),
    ).resolves.toEqual([]);
  });
});
