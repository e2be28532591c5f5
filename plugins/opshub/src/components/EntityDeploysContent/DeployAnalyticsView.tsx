import type { CompoundEntityRef } from '@backstage/catalog-model';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import type { OpsHubDeployEnvironmentClass } from '@opshub/plugin-opshub-common';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import TextField from '@material-ui/core/TextField';
import { useId, useState } from 'react';
import { DeployWindowPicker } from '../shared/DeployWindowPicker';
import {
  type DeployWindowChoice,
  windowOf,
  windowProblem,
} from '../shared/deployWindow';
import { DeploySummary } from './DeploySummary';
import { DoraTiles } from './DoraTiles';
import { DeploysEmptyState } from './DeploysEmptyState';
import { DeploysPerDayChart } from './DeploysPerDayChart';
import { DeployTimeChart } from './DeployTimeChart';
import { FailuresByClassChart } from './FailuresByClassChart';
import { RecentDeploysTable } from './RecentDeploysTable';
import { useDeployAnalytics } from './useDeployAnalytics';

const ALL = 'all';

/**
 * An entity's deploys over a picked window and environment: DORA's keys
 * (of its production deploys, whatever the environment picked), headline
 * figures, charts and the recent deploys; how to send deploys when there
 * is none.
 */
export function DeployAnalyticsView(props: {
  entityRef: CompoundEntityRef;
  now: () => number;
}) {
  const [choice, setChoice] = useState<DeployWindowChoice>({ days: 30 });
  const [environment, setEnvironment] =
    useState<OpsHubDeployEnvironmentClass>();
  const environmentId = useId();
  const now = props.now();
  const window = windowOf(choice, now);
  const state = useDeployAnalytics(
    props.entityRef,
    windowProblem(window) ? undefined : window,
    environment,
  );
  const analytics = state.value;

  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <Box display="flex" flexWrap="wrap" style={{ gap: 16 }}>
          <DeployWindowPicker choice={choice} onChange={setChoice} now={now} />
          <TextField
            select
            id={environmentId}
            label="Environment"
            value={environment ?? ALL}
            SelectProps={{ native: true }}
            onChange={event =>
              setEnvironment(
                event.target.value === ALL
                  ? undefined
                  : (event.target.value as OpsHubDeployEnvironmentClass),
              )
            }
          >
            <option value={ALL}>All</option>
            <option value="production">Production</option>
            <option value="preview">Preview</option>
          </TextField>
        </Box>
      </Grid>
      {state.loading ? (
        <Grid item xs={12}>
          <Progress />
        </Grid>
      ) : null}
      {state.error ? (
        <Grid item xs={12}>
          <ResponseErrorPanel error={state.error} />
        </Grid>
      ) : null}
      {analytics &&
      !state.loading &&
      (analytics.deploys.total > 0 ||
        analytics.dora.deploymentFrequency.deploys > 0) ? (
        <Grid item xs={12}>
          <DoraTiles dora={analytics.dora} />
        </Grid>
      ) : null}
      {analytics && !state.loading && analytics.deploys.total === 0 ? (
        <Grid item xs={12}>
          <DeploysEmptyState />
        </Grid>
      ) : null}
      {analytics && !state.loading && analytics.deploys.total > 0 ? (
        <>
          <Grid item xs={12}>
            <DeploySummary analytics={analytics} />
          </Grid>
          <Grid item xs={12} lg={6}>
            <DeploysPerDayChart byDay={analytics.deploys.byDay} />
          </Grid>
          <Grid item xs={12} lg={6}>
            <DeployTimeChart
              byDay={analytics.deploys.byDay}
              totalTime={analytics.totalTime}
            />
          </Grid>
          <Grid item xs={12} lg={6}>
            <FailuresByClassChart errorClasses={analytics.errorClasses} />
          </Grid>
          <Grid item xs={12}>
            <RecentDeploysTable recent={analytics.recent} />
          </Grid>
        </>
      ) : null}
    </Grid>
  );
}
