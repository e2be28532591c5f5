import type { TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type { OpsHubActivity } from '@opshub/plugin-opshub-common';
import useAsync from 'react-use/esm/useAsync';
import { opshubApiRef, type OpsHubScope } from '../../api/OpsHubApi';
import { TableCard } from '../shared/TableCard';

const columns: TableColumn<OpsHubActivity>[] = [
  {
    title: 'When',
    field: 'createdAt',
    render: a => new Date(a.createdAt).toLocaleString(),
  },
  { title: 'Who', field: 'actorRef' },
  { title: 'What', field: 'action' },
  {
    title: 'Details',
    render: a =>
      Object.entries(a.details)
        .map(([key, value]) => `${key}: ${value}`)
        .join(', '),
  },
];

/**
 * Who did what, when: the activity log of a project or of the installation.
 *
 * @public
 */
export function ActivityCard(props: { scope: OpsHubScope }) {
  const api = useApi(opshubApiRef);
  const state = useAsync(
    () => api.listActivity(props.scope),
    [api, JSON.stringify(props.scope)],
  );
  return (
    <TableCard
      title="Activity"
      state={state}
      columns={columns}
      empty="Nothing has changed yet."
    />
  );
}
