import { getCompoundEntityRef } from '@backstage/catalog-model';
import { InfoCard, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { opshubApiRef } from '../../api/OpsHubApi';
import { HealthCard } from './HealthCard';

/**
 * The Health card for an entity page's overview: the page's entity, with
 * the caller's permissions from their OpsHub role on it (without
 * `opshub.health.read`, it says health is not available to them).
 *
 * @public
 */
export function EntityHealthCard() {
  const { entity } = useEntity();
  const api = useApi(opshubApiRef);
  const ref = getCompoundEntityRef(entity);
  const standing = useAsync(
    () => api.getEffectiveRole(ref),
    [api, ref.kind, ref.namespace, ref.name],
  );
  if (standing.loading) {
    return (
      <InfoCard title="Health">
        <Progress />
      </InfoCard>
    );
  }
  const permissions = standing.value?.permissions ?? {};
  if (permissions['opshub.health.read'] !== true) {
    return (
      <InfoCard title="Health">
        <Typography color="textSecondary">
          Health is not available: it needs an OpsHub role on this entity.
        </Typography>
      </InfoCard>
    );
  }
  return <HealthCard entityRef={ref} permissions={permissions} />;
}
