import {
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import type {
  OpsHubBinding,
  OpsHubRoleAssignment,
} from '@opshub/plugin-opshub-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { type OpsHubApi, opshubApiRef } from '../../api/OpsHubApi';
import { noDoraRatings } from '../../__testUtils__/dora';
import { fakeOpsHubApi } from '../../__testUtils__/fakeOpsHubApi';
import { OpsHubPage } from './OpsHubPage';

const configOwner: OpsHubRoleAssignment = {
  id: 'config:user:default/guest',
  entityRef: 'opshub:installation',
  subjectRef: 'user:default/guest',
  role: 'owner',
  createdBy: 'app-config (opshub.rbac.orgOwners)',
  createdAt: '1970-01-01T00:00:00.000Z',
};

const unverified: OpsHubBinding = {
  entityRef: 'component:default/storefront',
  repository: 'acme/storefront',
  verified: false,
  verifiedBy: null,
  approvedBy: null,
  approvedAt: null,
  problem:
    'Its catalog location is not in acme/storefront: register it from there, or approve the binding.',
};

const approved: OpsHubBinding = {
  entityRef: 'component:default/checkout',
  repository: 'acme/checkout',
  verified: true,
  verifiedBy: 'approval',
  approvedBy: 'user:default/alice',
  approvedAt: '2026-11-20T10:00:00.000Z',
  problem: null,
};

const byLocation: OpsHubBinding = {
  entityRef: 'component:default/search',
  repository: 'acme/search',
  verified: true,
  verifiedBy: 'location',
  approvedBy: null,
  approvedAt: null,
  problem: null,
};

/**
 * An in-memory backend for the page: assignments and bindings change as
 * asked.
 */
function fakeApi(): OpsHubApi & {
  assignments: OpsHubRoleAssignment[];
  bindings: OpsHubBinding[];
} {
  const assignments = [configOwner];
  const bindings = [unverified, approved, byLocation];
  const setBinding = (entityRef: string, binding: Partial<OpsHubBinding>) => {
    const i = bindings.findIndex(b => b.entityRef === entityRef);
    bindings[i] = { ...bindings[i], ...binding };
    return bindings[i];
  };
  let nextId = 1;
  return fakeOpsHubApi({
    assignments,
    bindings,
    getBindings: async ({ verified } = {}) =>
      bindings.filter(b => verified === undefined || b.verified === verified),
    approveBinding: async entityRef =>
      setBinding(String(entityRef), {
        verified: true,
        verifiedBy: 'approval',
        approvedBy: 'user:default/guest',
        approvedAt: '2026-11-21T10:00:00.000Z',
        problem: null,
      }),
    revokeBinding: async entityRef =>
      setBinding(String(entityRef), {
        verified: false,
        verifiedBy: null,
        approvedBy: null,
        approvedAt: null,
        problem: 'Not verified: approve the binding.',
      }),
    listAssignments: async () => [...assignments],
    addAssignment: async (_scope, { subjectRef, role }) => {
      const added = {
        ...configOwner,
        id: String(nextId++),
        subjectRef,
        role,
        createdBy: 'user:default/guest',
      };
      assignments.push(added);
      return added;
    },
    removeAssignment: async (_scope, id) => {
      assignments.splice(
        assignments.findIndex(a => a.id === id),
        1,
      );
    },
    listActivity: async () => [],
    getQueueStats: async () => [
      { type: 'create-preview', state: 'dead', count: 1 },
    ],
    listJobs: async () => [
      {
        id: '42',
        type: 'create-preview',
        key: null,
        state: 'dead',
        attempts: 5,
        maxAttempts: 5,
        runAt: '2026-11-20T10:00:00.000Z',
        lastError: 'provider said no',
        errorClass: 'permanent',
        createdAt: '2026-11-20T10:00:00.000Z',
        updatedAt: '2026-11-20T10:00:00.000Z',
        finishedAt: '2026-11-20T10:00:00.000Z',
      },
    ],
    listDeliveries: async () => [],
    getAnalyticsOverview: async ({ from, to }) => ({
      from,
      to,
      items: [
        {
          entityRef: 'component:default/storefront',
          deploys: 12,
          succeeded: 9,
          failed: 3,
          cancelled: 0,
          successRate: 0.75,
          dora: noDoraRatings,
        },
      ],
      nextCursor: null,
    }),
  });
}

async function renderPage(api: OpsHubApi) {
  await renderInTestApp(
    <TestApiProvider apis={[[opshubApiRef, api]]}>
      <OpsHubPage />
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );
}

/** The "Repository bindings" card, once rendered. */
async function bindingsCard() {
  const title = await screen.findByText('Repository bindings');
  // (Class names carry a counter on this page: MuiCard-root-311.)
  const card = title.closest<HTMLElement>('[class*="MuiCard-root"]');
  if (!card) throw new Error('The "Repository bindings" title is in no card');
  return within(card);
}

// Rendering a Backstage app with tables takes seconds on a busy CI machine.
jest.setTimeout(30_000);
describe('OpsHubPage', () => {
  it('adds and removes org-level roles, shows the queue and keeps config owners', async () => {
    const api = fakeApi();
    await renderPage(api);

    expect(await screen.findByText('user:default/guest')).toBeInTheDocument();
    expect(
      screen.queryByLabelText('Remove user:default/guest'),
    ).not.toBeInTheDocument();
    expect(await screen.findByText('provider said no')).toBeInTheDocument();

    fireEvent.change(screen.getByLabelText('User or group'), {
      target: { value: 'group:default/platform' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Add' }));
    // (The success toast is an alert dialog that hides the page from the
    // accessibility tree, so these look the buttons up by their label.)
    expect(
      await screen.findByLabelText('Remove group:default/platform'),
    ).toBeInTheDocument();
    expect(api.assignments.map(a => [a.subjectRef, a.role])).toEqual([
      ['user:default/guest', 'owner'],
      ['group:default/platform', 'viewer'],
    ]);

    fireEvent.click(screen.getByLabelText('Remove group:default/platform'));
    await waitFor(() =>
      expect(
        screen.queryByText('group:default/platform'),
      ).not.toBeInTheDocument(),
    );
    expect(api.assignments).toEqual([configOwner]);
  });

  it('tells a user who is not an org owner, and still shows them the deploys they may read', async () => {
    const api = fakeApi();
    api.listAssignments = async () => {
      throw Object.assign(new Error('Requires opshub.admin'), {
        response: { status: 403 },
      });
    };
    await renderPage(api);
    expect(
      await screen.findByText(
        /Only OpsHub org owners administer the installation/,
      ),
    ).toBeInTheDocument();
    expect(
      await screen.findByRole('link', {
        name: 'component:default/storefront',
      }),
    ).toHaveAttribute('href', '/catalog/default/component/storefront/deploys');
    expect(screen.getByText('75.0%')).toBeInTheDocument();
    expect(screen.queryByText('Repository bindings')).toBeNull();
  });

  describe('repository bindings', () => {
    it('lists the unverified ones and approves one after a confirmation', async () => {
      const api = fakeApi();
      const approveBinding = jest.spyOn(api, 'approveBinding');
      const getBindings = jest.spyOn(api, 'getBindings');
      await renderPage(api);

      const card = await bindingsCard();
      const entity = await card.findByText('component:default/storefront');
      expect(entity.closest('a')).toHaveAttribute(
        'href',
        '/catalog/default/component/storefront',
      );
      expect(card.getByText('acme/storefront')).toHaveAttribute(
        'href',
        'https://github.com/acme/storefront',
      );
      expect(
        card.getByText(/Its catalog location is not in acme\/storefront/),
      ).toBeInTheDocument();
      expect(getBindings).toHaveBeenCalledWith({ verified: false });
      // Verified ones wait for "Show verified".
      expect(
        card.queryByText('component:default/checkout'),
      ).not.toBeInTheDocument();
      expect(card.queryByLabelText(/^Revoke /)).not.toBeInTheDocument();

      fireEvent.click(
        card.getByLabelText('Approve component:default/storefront'),
      );
      const dialog = within(await screen.findByRole('dialog'));
      expect(
        dialog.getByText(
          'Approve component:default/storefront on acme/storefront?',
        ),
      ).toBeInTheDocument();
      expect(dialog.getByText(/the entity will act on it/)).toHaveTextContent(
        'GitHub repository acme/storefront',
      );
      expect(approveBinding).not.toHaveBeenCalled();

      fireEvent.click(dialog.getByRole('button', { name: 'Approve' }));
      await waitFor(() =>
        expect(
          card.queryByText('component:default/storefront'),
        ).not.toBeInTheDocument(),
      );
      expect(approveBinding).toHaveBeenCalledWith(
        'component:default/storefront',
        'acme/storefront',
      );
      expect(
        await card.findByText("Every entity's repository binding is verified."),
      ).toBeInTheDocument();
    });

    it('approves nothing when the confirmation is cancelled', async () => {
      const api = fakeApi();
      const approveBinding = jest.spyOn(api, 'approveBinding');
      await renderPage(api);

      const card = await bindingsCard();
      fireEvent.click(
        await card.findByLabelText('Approve component:default/storefront'),
      );
      const dialog = within(await screen.findByRole('dialog'));
      fireEvent.click(dialog.getByRole('button', { name: 'Cancel' }));

      await waitFor(() =>
        expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
      );
      expect(approveBinding).not.toHaveBeenCalled();
      expect(
        card.getByText('component:default/storefront'),
      ).toBeInTheDocument();
    });

    it('shows the verified ones too on demand and revokes an approval', async () => {
      const api = fakeApi();
      const revokeBinding = jest.spyOn(api, 'revokeBinding');
      await renderPage(api);

      const card = await bindingsCard();
      await card.findByText('component:default/storefront');
      fireEvent.click(card.getByLabelText('Show verified'));

      expect(
        await card.findByText('component:default/checkout'),
      ).toBeInTheDocument();
      expect(
        card.getByText(
          `approved by user:default/alice on ${new Date(
            '2026-11-20T10:00:00.000Z',
          ).toLocaleDateString()}`,
        ),
      ).toBeInTheDocument();
      expect(
        card.getByText('verified by its catalog location in acme/search'),
      ).toBeInTheDocument();
      // Only an org owner's approval can be revoked.
      expect(
        card.queryByLabelText('Revoke component:default/search'),
      ).not.toBeInTheDocument();

      fireEvent.click(card.getByLabelText('Revoke component:default/checkout'));
      const dialog = within(await screen.findByRole('dialog'));
      expect(
        dialog.getByText('Revoke the approval of component:default/checkout?'),
      ).toBeInTheDocument();
      fireEvent.click(dialog.getByRole('button', { name: 'Revoke' }));

      expect(
        await card.findByText('Not verified: approve the binding.'),
      ).toBeInTheDocument();
      expect(revokeBinding).toHaveBeenCalledWith('component:default/checkout');
      expect(
        card.getByLabelText('Approve component:default/checkout'),
      ).toBeInTheDocument();
      expect(
        card.queryByLabelText('Revoke component:default/checkout'),
      ).not.toBeInTheDocument();
    });

    it('shows the error when the backend refuses the bindings', async () => {
      const api = fakeApi();
      api.getBindings = async () => {
        throw Object.assign(new Error('Requires opshub.admin'), {
          response: { status: 403 },
        });
      };
      await renderPage(api);

      const card = await bindingsCard();
      expect(
        (await card.findAllByText(/Requires opshub.admin/)).length,
      ).toBeGreaterThan(0);
      // The page's other cards still show.
      expect(await screen.findByText('provider said no')).toBeInTheDocument();
    });
  });
});
