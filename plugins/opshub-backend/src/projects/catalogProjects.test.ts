import { mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { BindingVerifier } from './bindings';
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

  it("verifies each binding from the entity's catalog location, not its source location, or the config", async () => {
    const located = (name: string, annotations: Record<string, string>) =>
      entity('Component', name, {
        'github.com/project-slug': 'acme/shop',
        ...annotations,
      });
    const shop = catalogServiceMock({
      entities: [
        located('from-repo', {
          'backstage.io/managed-by-location':
            'url:https://ghe.acme.example/Acme/Shop/blob/main/catalog-info.yaml',
        }),
        located('from-elsewhere', {
          'backstage.io/managed-by-location':
            'url:https://ghe.acme.example/evil/shop/blob/main/catalog-info.yaml',
        }),
        located('from-file', {
          'backstage.io/managed-by-location': 'file:/srv/catalog/shop.yaml',
          'backstage.io/source-location':
            'url:https://ghe.acme.example/acme/shop/tree/main/',
        }),
        located('approved', {
          'backstage.io/managed-by-location': 'file:/srv/catalog/shop.yaml',
        }),
      ],
    });
    const verifier = new BindingVerifier({
      hosts: ['ghe.acme.example', 'github.com'],
      approvedBindings: [
        { entityRef: 'component:default/approved', repository: 'acme/shop' },
      ],
    });
    const found = await findProjectsInCatalog(
      { catalog: shop, auth: mockServices.auth(), verifier },
      'acme/shop',
    );
    expect(found.map(p => [p.entityRef, p.verifiedBy, p.location])).toEqual([
      ['component:default/approved', 'config', 'file:/srv/catalog/shop.yaml'],
      [
        'component:default/from-elsewhere',
        undefined,
        'url:https://ghe.acme.example/evil/shop/blob/main/catalog-info.yaml',
      ],
      ['component:default/from-file', undefined, 'file:/srv/catalog/shop.yaml'],
      [
        'component:default/from-repo',
        'location',
        'url:https://ghe.acme.example/Acme/Shop/blob/main/catalog-info.yaml',
      ],
    ]);
  });
});
