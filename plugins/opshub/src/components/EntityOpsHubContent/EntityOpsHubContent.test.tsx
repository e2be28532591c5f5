import type { Entity } from '@backstage/catalog-model';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import {
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import type {
  OpsHubBinding,
  OpsHubEntitySummary,
} from '@opshub/plugin-opshub-common';
import { screen, within } from '@testing-library/react';
import { type OpsHubApi, opshubApiRef } from '../../api/OpsHubApi';
import { fakeOpsHubApi } from '../../__testUtils__/fakeOpsHubApi';
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
    binding: null,
    ...overrides,
  };
}

function binding(overrides: Partial<OpsHubBinding> = {}): OpsHubBinding {
  return {
    entityRef: 'component:default/storefront',
    repository: 'acme/storefront',
    verified: true,
    verifiedBy: 'location',
    approvedBy: null,
    approvedAt: null,
    problem: null,
    ...overrides,
  };
}

/** An OpsHub API that answers as for a project owner, with `overrides`. */
function fakeApi(overrides: Partial<OpsHubApi>): OpsHubApi {
  return fakeOpsHubApi({
    getEntitySummary: async () => summary(),
    getEffectiveRole: async () => ({
      entityRef: 'component:default/storefront',
      role: 'owner',
      permissions: { 'opshub.role.manage': true },
    }),
    listAssignments: async () => [
      {
        id: '1',
        entityRef: 'component:default/storefront',
        subjectRef: 'group:default/web',
        role: 'developer',
        createdBy: 'user:default/alice',
        createdAt: '2026-11-20T10:00:00.000Z',
      },
    ],
    listActivity: async () => [
      {
        id: '7',
        entityRef: 'component:default/storefront',
        actorRef: 'user:default/alice',
        action: 'role-assignment-add',
        details: { subjectRef: 'group:default/web', role: 'developer' },
        createdAt: '2026-11-20T10:00:00.000Z',
      },
    ],
    listEnvVars: async () => [],
    ...overrides,
  });
}

async function renderWith(overrides: Partial<OpsHubApi>) {
  await renderInTestApp(
    <TestApiProvider apis={[[opshubApiRef, fakeApi(overrides)]]}>
      <EntityProvider entity={entity}>
        <EntityOpsHubContent />
      </EntityProvider>
    </TestApiProvider>,
  );
}

/** The "At a glance" card, once rendered. */
async function glanceCard(): Promise<HTMLElement> {
  const title = await screen.findByText('At a glance');
  const card = title.closest<HTMLElement>('.MuiCard-root');
  if (!card) throw new Error('The "At a glance" title is in no card');
  return card;
}

// Rendering a Backstage app with tables takes seconds on a busy CI machine.
jest.setTimeout(30_000);
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

  it("shows the backend's preview counts at a glance, zeros included", async () => {
    await renderWith({
      getEntitySummary: async () =>
        summary({
          // As the backend counts an entity's previews.
          counts: [
            { id: 'previews.live', title: 'Live previews', value: 2 },
            { id: 'previews.building', title: 'Previews building', value: 0 },
            { id: 'previews.failed', title: 'Failed previews', value: 1 },
          ],
        }),
    });

    const card = within(await glanceCard());
    const rows = card.getAllByRole('row').map(row =>
      within(row)
        .getAllByRole('cell')
        .map(cell => cell.textContent),
    );
    expect(rows).toEqual([
      ['Live previews', '2'],
      ['Previews building', '0'],
      ['Failed previews', '1'],
    ]);
    expect(card.queryByText(/Nothing counted yet/)).not.toBeInTheDocument();
  });

  it('promises nothing OpsHub does not count when there are no counts', async () => {
    await renderWith({});

    const card = await glanceCard();
    expect(card).toHaveTextContent('Nothing counted yet.');
    expect(card).not.toHaveTextContent(/environment variables|health/i);
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

  it('warns that previews are off, and why, when the binding is not verified', async () => {
    await renderWith({
      getEntitySummary: async () =>
        summary({
          binding: binding({
            verified: false,
            verifiedBy: null,
            problem:
              'Its catalog location is not in acme/storefront: register the entity from that repository, or ask an OpsHub org owner to approve the binding.',
          }),
        }),
    });

    expect(
      await screen.findByText(
        /Previews are off for this entity: its binding to acme\/storefront is not verified/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /Its catalog location is not in acme\/storefront: register the entity from that repository/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText('not verified: previews are off'),
    ).toBeInTheDocument();
    // The rest of the tab still shows.
    expect(screen.getByText('At a glance')).toBeInTheDocument();
  });

  it.each([
    {
      how: 'location',
      verified: binding({ verifiedBy: 'location' }),
      line: 'verified by its catalog location in acme/storefront',
    },
    {
      how: 'approval',
      verified: binding({
        verifiedBy: 'approval',
        approvedBy: 'user:default/alice',
        approvedAt: '2026-11-20T10:00:00.000Z',
      }),
      line: `approved by user:default/alice on ${new Date(
        '2026-11-20T10:00:00.000Z',
      ).toLocaleDateString()}`,
    },
    {
      how: 'config',
      verified: binding({ verifiedBy: 'config' }),
      line: 'approved in the app config',
    },
    {
      how: 'not-required',
      verified: binding({ verifiedBy: 'not-required' }),
      line: 'verification is turned off',
    },
  ])(
    'says how a verified binding was verified: $how',
    async ({ verified, line }) => {
      await renderWith({
        getEntitySummary: async () => summary({ binding: verified }),
      });

      expect(await screen.findByText(line)).toBeInTheDocument();
      expect(screen.queryByText(/Previews are off/)).not.toBeInTheDocument();
    },
  );

  it('shows no binding line while the backend reports none', async () => {
    await renderWith({});

    expect(await screen.findByText('OpsHub project')).toBeInTheDocument();
    expect(screen.queryByText('Binding')).not.toBeInTheDocument();
    expect(screen.queryByText(/Previews are off/)).not.toBeInTheDocument();
  });

  it("shows the caller's role, the project's assignments and its activity", async () => {
    await renderWith({});

    expect(await screen.findByText('Your role')).toBeInTheDocument();
    expect(screen.getByText('owner')).toBeInTheDocument();
    expect(screen.getAllByText('group:default/web').length).toBeGreaterThan(0);
    expect(screen.getByText('role-assignment-add')).toBeInTheDocument();
    // An owner may remove assignments and add new ones.
    expect(
      screen.getByRole('button', { name: 'Remove group:default/web' }),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Add' })).toBeInTheDocument();
  });

  it('offers no changes to a viewer', async () => {
    await renderWith({
      getEffectiveRole: async () => ({
        entityRef: 'component:default/storefront',
        role: 'viewer',
        permissions: { 'opshub.role.manage': false },
      }),
    });

    expect(await screen.findByText('viewer')).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Remove group:default/web' }),
    ).not.toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Add' }),
    ).not.toBeInTheDocument();
  });

  it('says so when the caller holds no role on the project', async () => {
    const forbidden = Object.assign(new Error('Requires opshub.project.read'), {
      response: { status: 403 },
    });
    await renderWith({
      getEntitySummary: async () => {
        throw forbidden;
      },
    });

    expect(
      await screen.findByText(/You hold no OpsHub role on this project/),
    ).toBeInTheDocument();
    expect(screen.queryByText('OpsHub project')).not.toBeInTheDocument();
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

describe('EntityOpsHubContent environment variables', () => {
  it('shows the card to those who may read variables, and only to them', async () => {
    const listEnvVars = jest.fn(async () => []);
    await renderWith({
      listEnvVars,
      getEffectiveRole: async () => ({
        entityRef: 'component:default/storefront',
        role: 'viewer',
        permissions: { 'opshub.envvar.read': true },
      }),
    });

    expect(
      await screen.findByText('No variables in production yet.'),
    ).toBeInTheDocument();
    expect(screen.getByText('Environment variables')).toBeInTheDocument();
    expect(listEnvVars).toHaveBeenCalledWith({
      kind: 'Component',
      namespace: 'default',
      name: 'storefront',
    });
  });

  it('shows no card without the read permission', async () => {
    await renderWith({});

    expect(await screen.findByText('At a glance')).toBeInTheDocument();
    expect(screen.queryByText('Environment variables')).not.toBeInTheDocument();
  });
});

describe('EntityOpsHubContent health', () => {
  it('shows the Health card to those who may read health, and only to them', async () => {
    const getHealth = jest.fn(async () => ({
      state: 'unknown' as const,
      checks: [],
      previews: [],
    }));
    await renderWith({
      getHealth,
      getEffectiveRole: async () => ({
        entityRef: 'component:default/storefront',
        role: 'viewer',
        permissions: { 'opshub.health.read': true },
      }),
    });

    expect(await screen.findByText('No health checks')).toBeInTheDocument();
    expect(screen.getByLabelText('Health: unknown')).toBeInTheDocument();
    expect(getHealth).toHaveBeenCalledWith({
      kind: 'Component',
      namespace: 'default',
      name: 'storefront',
    });
  });

  it('shows no Health card without opshub.health.read', async () => {
    await renderWith({});

    expect(await screen.findByText('At a glance')).toBeInTheDocument();
    expect(screen.queryByText('Health')).not.toBeInTheDocument();
  });
});
