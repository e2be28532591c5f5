import type { TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type { OpsHubJob, OpsHubJobCount } from '@opshub/plugin-opshub-common';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { opshubApiRef } from '../../api/OpsHubApi';
import { TableCard } from '../shared/TableCard';
import { useChange } from '../shared/useChange';

const countColumns: TableColumn<OpsHubJobCount>[] = [
  { title: 'Job type', field: 'type' },
  { title: 'State', field: 'state' },
  { title: 'Jobs', field: 'count', type: 'numeric' },
];

/** The job queue: counts by type and state, and the dead jobs to retry. */
export function QueueCard() {
  const api = useApi(opshubApiRef);
  const counts = useAsyncRetry(() => api.getQueueStats(), [api]);
  const dead = useAsyncRetry(() => api.listJobs({ state: 'dead' }), [api]);
  const change = useChange(() => {
    counts.retry();
    dead.retry();
  });

  const deadColumns: TableColumn<OpsHubJob>[] = [
    { title: 'Job', field: 'id' },
    { title: 'Type', field: 'type' },
    { title: 'Attempts', field: 'attempts', type: 'numeric' },
    { title: 'Error class', field: 'errorClass' },
    { title: 'Last error', field: 'lastError' },
    {
      title: '',
      render: job => (
        <Button
          size="small"
          variant="outlined"
          onClick={() =>
            change(`Job ${job.id} queued again`, () => api.retryJob(job.id))
          }
        >
          Retry
        </Button>
      ),
    },
  ];

  return (
    <Grid container spacing={3}>
      <Grid item xs={12} md={5}>
        <TableCard
          title="Jobs by type and state"
          state={counts}
          columns={countColumns}
          empty="No jobs."
        />
      </Grid>
      <Grid item xs={12} md={7}>
        <TableCard
          title="Dead jobs"
          state={dead}
          columns={deadColumns}
          empty="No dead jobs."
        />
      </Grid>
    </Grid>
  );
}
