import type { TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type { OpsHubDelivery } from '@opshub/plugin-opshub-common';
import Button from '@material-ui/core/Button';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { opshubApiRef } from '../../api/OpsHubApi';
import { TableCard } from '../shared/TableCard';
import { useChange } from '../shared/useChange';

/** The latest GitHub webhook deliveries, each of which can be re-processed. */
export function DeliveriesCard() {
  const api = useApi(opshubApiRef);
  const state = useAsyncRetry(() => api.listDeliveries(), [api]);
  const change = useChange(state.retry);

  const columns: TableColumn<OpsHubDelivery>[] = [
    { title: 'Received', render: d => new Date(d.receivedAt).toLocaleString() },
    {
      title: 'Event',
      render: d => (d.action ? `${d.event}.${d.action}` : d.event),
    },
    { title: 'Repository', field: 'repository' },
    { title: 'Outcome', field: 'outcome' },
    { title: 'Jobs', field: 'jobCount', type: 'numeric' },
    {
      title: '',
      render: delivery => (
        <Button
          size="small"
          variant="outlined"
          onClick={() =>
            change(`Delivery ${delivery.deliveryId} processed again`, () =>
              api.redeliver(delivery.deliveryId),
            )
          }
        >
          Redeliver
        </Button>
      ),
    },
  ];

  return (
    <TableCard
      title="GitHub webhook deliveries"
      state={state}
      columns={columns}
      empty="No deliveries received yet."
    />
  );
}
