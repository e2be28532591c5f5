import {
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import type { OpsHubRoleAssignment } from '@opshub/plugin-opshub-common';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { type OpsHubApi, opshubApiRef } from '../../api/OpsHubApi';
import { OpsHubPage } from './OpsHubPage';

const configOwner: OpsHubRoleAssignment = {
  id: 'config:user:default/guest',
  entityRef: 'opshub:installation',
  subjectRef: 'user:default/guest',
  role: 'owner',
  createdBy: 'app-config (opshub.rbac.orgOwners)',
  createdAt: '1970-01-01T00:00:00.000Z',
};

/** An in-memory backend for the page: assignments change as asked. */
function fakeApi(): OpsHubApi & { assignments: OpsHubRoleAssignment[] } {
  const assignments = [configOwner];
  let nextId = 1;
  const unexpected = async () => {
    throw new Error('not expected in this test');
  };
  return {
    assignments,
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
    getEntitySummary: unexpected,
    getEffectiveRole: unexpected,
    retryJob: unexpected,
    redeliver: unexpected,
    listPreviews: unexpected,
    changePreview: unexpected,
  };
}

// Rendering a Backstage app with tables takes seconds on a busy CI machine.
jest.setTimeout(30_000);
describe('OpsHubPage', () => {
  it('adds and removes org-level roles, shows the queue and keeps config owners', async () => {
    const api = fakeApi();
    await renderInTestApp(
      <TestApiProvider apis={[[opshubApiRef, api]]}>
        <OpsHubPage />
      </TestApiProvider>,
    );

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

  it('tells a user who is not an org owner', async () => {
    const api = fakeApi();
    api.listAssignments = async () => {
      throw Object.assign(new Error('Requires opshub.admin'), {
        response: { status: 403 },
      });
    };
    await renderInTestApp(
      <TestApiProvider apis={[[opshubApiRef, api]]}>
        <OpsHubPage />
      </TestApiProvider>,
    );
    expect(
      await screen.findByText(
        /Only OpsHub org owners administer the installation/,
      ),
    ).toBeInTheDocument();
  });
});
