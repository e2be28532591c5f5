import {
  Content,
  Header,
  Page,
  Progress,
  ResponseErrorPanel,
  WarningPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import useAsync from 'react-use/esm/useAsync';
import { opshubApiRef } from '../../api/OpsHubApi';
import { ActivityCard } from '../ActivityCard';
import { isForbidden } from '../isForbidden';
import { RolesCard } from '../RolesCard';
import { BindingsCard } from './BindingsCard';
import { DeliveriesCard } from './DeliveriesCard';
import { DeploysOverviewCard } from './DeploysOverviewCard';
import { QueueCard } from './QueueCard';

/**
 * `/opshub`: the org overview of deploys (the entities the caller may read),
 * and administration of the installation, for org owners: org-level roles,
 * entities' repository bindings (approve, revoke), the job queue, webhook
 * deliveries and the org activity log.
 *
 * @public
 */
export function OpsHubPage() {
  const api = useApi(opshubApiRef);
  // Org-level reads need opshub.admin: a 403 here means "not an org owner".
  const access = useAsync(() => api.listAssignments('org'), [api]);

  return (
    <Page themeId="tool">
      <Header
        title="OpsHub administration"
        subtitle="Deploys across the org, org-level roles, repository bindings, the job queue and GitHub webhook deliveries"
      />
      <Content>
        <Box mb={3}>
          <DeploysOverviewCard />
        </Box>
        {access.loading ? <Progress /> : null}
        {access.error && isForbidden(access.error) ? (
          <WarningPanel title="Only OpsHub org owners administer the installation">
            Ask an org owner for the owner role on the installation, or set
            opshub.rbac.orgOwners in app-config.
          </WarningPanel>
        ) : null}
        {access.error && !isForbidden(access.error) ? (
          <ResponseErrorPanel error={access.error} />
        ) : null}
        {access.value ? (
          <Grid container spacing={3}>
            <Grid item xs={12}>
              <RolesCard scope="org" canManage title="Org-level roles" />
            </Grid>
            <Grid item xs={12}>
              <BindingsCard />
            </Grid>
            <Grid item xs={12}>
              <QueueCard />
            </Grid>
            <Grid item xs={12}>
              <DeliveriesCard />
            </Grid>
            <Grid item xs={12}>
              <ActivityCard scope="org" />
            </Grid>
          </Grid>
        ) : null}
      </Content>
    </Page>
  );
}
