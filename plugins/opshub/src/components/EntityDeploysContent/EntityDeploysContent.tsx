import { getCompoundEntityRef } from '@backstage/catalog-model';
import {
  Progress,
  ResponseErrorPanel,
  WarningPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import useAsync from 'react-use/esm/useAsync';
import { opshubApiRef } from '../../api/OpsHubApi';
import { isForbidden } from '../isForbidden';
import { DeployAnalyticsView } from './DeployAnalyticsView';

const NOT_ALLOWED = (
  <WarningPanel title="Deploy analytics are not available to you">
    They need an OpsHub role on this project: ask one of its owners.
  </WarningPanel>
);

/**
 * The Deploys tab of a Component: how often and how reliably it ships, over
 * a window of days (7, 30, 90, 365 or custom dates) and an environment
 * (production, preview or both): deploys per day by outcome, success rate,
 * total and build time P50/P95/P99, failures by class and the recent
 * deploys with their pull request, preview and provider page. Needs
 * `opshub.analytics.read` on the entity.
 *
 * @public
 */
export function EntityDeploysContent(
  props: {
    /** The current time in ms (for tests); defaults to `Date.now`. */
    now?: () => number;
  } = {},
) {
  const { entity } = useEntity();
  const api = useApi(opshubApiRef);
  const ref = getCompoundEntityRef(entity);
  const standing = useAsync(
    () => api.getEffectiveRole(ref),
    [api, ref.kind, ref.namespace, ref.name],
  );

  if (standing.loading) return <Progress />;
  if (standing.error) {
    return isForbidden(standing.error) ? (
      NOT_ALLOWED
    ) : (
      <ResponseErrorPanel error={standing.error} />
    );
  }
  if (standing.value?.permissions['opshub.analytics.read'] !== true) {
    return NOT_ALLOWED;
  }
  return <DeployAnalyticsView entityRef={ref} now={props.now ?? Date.now} />;
}
