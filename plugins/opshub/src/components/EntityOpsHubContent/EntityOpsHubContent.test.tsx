import type { Entity } from '@backstage/catalog-model';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import {
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import type { OpsHubEntitySummary } from '@opshub/plugin-opshub-common';
import { screen } from '@testing-library/react';
import { type OpsHubApi, opshubApiRef } from '../../api/OpsHubApi';
import { EntityOpsHubContent } from './EntityOpsHubContent';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'storefront', namespace: 'default' },
  spec: {},
};

function summary(
  overrides: Partial<OpsHubEntitySummary> = {},
): OpsHubEntitySummary {
  return {
    entityRef: 'component:default/storefront',
    configured: true,
    annotations: { projectSlug: 'acme/storefront', previewProvider: 'mock' },
    problems: [],
    trackedSince: '2026-11-20T10:00:00.000Z',
    counts: [],
    ...overrides,
  };
}

async function renderWith(api: OpsHubApi) {
  await renderInTestApp(
    <TestApiProvider apis={[[opshubApiRef, api]]}>
      <EntityProvider entity={entity}>
        <EntityOpsHubContent />
      </EntityProvider>
    </TestApiProvider>,
  );
}

describe('EntityOpsHubContent', () => {
  it('shows the summary the backend returned for the entity', async () => {
    const getEntitySummary = jest.fn(async () =>
      summary({
        counts: [{ id: 'previews.live', title: 'Live previews', value: 4 }],
      }),
    );
    await renderWith({ getEntitySummary });

    expect(await screen.findByText('acme/storefront')).toHaveAttribute(
      'href',
      'https://github.com/acme/storefront',
    );
    expect(screen.getByText('mock')).toBeInTheDocument();
    expect(screen.getByText('Live previews')).toBeInTheDocument();
    expect(screen.getByText('4')).toBeInTheDocument();
    expect(getEntitySummary).toHaveBeenCalledWith({
      kind: 'Component',
      namespace: 'default',
      name: 'storefront',
    });
  });

  it('says which annotations to add when the entity has none', async () => {
    await renderWith({
      getEntitySummary: async () =>
        summary({ configured: false, annotations: {}, trackedSince: null }),
    });

    expect(
      await screen.findByText(/github\.com\/project-slug/, {
        selector: 'code',
      }),
    ).toBeInTheDocument();
    expect(screen.queryByText('OpsHub project')).not.toBeInTheDocument();
  });

  it('lists annotations it could not use', async () => {
    await renderWith({
      getEntitySummary: async () =>
        summary({
          problems: [
            {
              annotation: 'opshub.dev/preview-provider',
              message: 'must be one of vercel, netlify, mock',
            },
          ],
        }),
    });

    expect(
      await screen.findByText(/Some OpsHub annotations could not be used/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/must be one of vercel, netlify, mock/),
    ).toBeInTheDocument();
  });

  it('shows an error when the backend fails', async () => {
    await renderWith({
      getEntitySummary: async () => {
        throw new Error('backend unavailable');
      },
    });

    expect(
      (await screen.findAllByText(/backend unavailable/)).length,
    ).toBeGreaterThan(0);
    expect(screen.queryByText('OpsHub project')).not.toBeInTheDocument();
  });
});
