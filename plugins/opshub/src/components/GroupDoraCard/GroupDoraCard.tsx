import { getCompoundEntityRef } from '@backstage/catalog-model';
import {
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import type {
  OpsHubDoraMetrics,
  OpsHubDoraRatings,
} from '@opshub/plugin-opshub-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { opshubApiRef } from '../../api/OpsHubApi';
import { DoraTiles } from '../EntityDeploysContent/DoraTiles';
import { DoraRatingsCell } from '../shared/DoraRatingsCell';
import { DeployWindowPicker } from '../shared/DeployWindowPicker';
import {
  type DeployWindowChoice,
  windowOf,
  windowProblem,
} from '../shared/deployWindow';
import { useEntityTabLink } from '../shared/useEntityTabLink';

const TITLE = 'DORA metrics';

const entitiesText = (count: number) =>
  `${count} tracked ${count === 1 ? 'entity' : 'entities'}`;

const ratingsOf = (dora: OpsHubDoraMetrics): OpsHubDoraRatings => ({
  deploymentFrequency: dora.deploymentFrequency.rating,
  leadTimeForChanges: dora.leadTimeForChanges.rating,
  changeFailureRate: dora.changeFailureRate.rating,
  recoveryTime: dora.recoveryTime.rating,
});

/**
 * A Group page's card of DORA's keys over the production deploys of the
 * tracked entities the group owns that the caller may read, together, then
 * each entity's ratings linked to its Deploys tab; over a picked window.
 *
 * @public
 */
export function GroupDoraCard(
  props: {
    /** The current time in ms (for tests); defaults to `Date.now`. */
    now?: () => number;
  } = {},
) {
  const { entity } = useEntity();
  const api = useApi(opshubApiRef);
  const tabLink = useEntityTabLink();
  const now = (props.now ?? Date.now)();
  const [choice, setChoice] = useState<DeployWindowChoice>({ days: 30 });
  const window = windowOf(choice, now);
  const problem = windowProblem(window);
  const { namespace, name } = getCompoundEntityRef(entity);
  const state = useAsync(
    async () =>
      problem
        ? undefined
        : api.getGroupAnalytics({
            namespace,
            name,
            from: window.from,
            to: window.to,
          }),
    [api, namespace, name, window.from, window.to, problem],
  );
  const picker = (
    <DeployWindowPicker choice={choice} onChange={setChoice} now={now} />
  );
  const group = state.value;

  if (state.loading || !group) {
    return (
      <InfoCard title={TITLE} action={picker}>
        {state.loading ? <Progress /> : null}
        {state.error ? <ResponseErrorPanel error={state.error} /> : null}
      </InfoCard>
    );
  }
  return (
    <DoraTiles
      dora={group.dora}
      title={TITLE}
      subheader={`Production deploys of the ${entitiesText(
        group.entities.length,
      )} this group owns that you may read.`}
      action={picker}
    >
      <Box mt={3} display="flex" flexDirection="column" style={{ gap: 8 }}>
        {group.byEntity.map(item => (
          <Box
            key={item.entityRef}
            display="flex"
            flexWrap="wrap"
            alignItems="center"
            style={{ gap: 16 }}
          >
            <Typography variant="body2" component="span">
              <Link to={tabLink(item.entityRef, 'deploys')}>
                {item.entityRef}
              </Link>
            </Typography>
            <DoraRatingsCell ratings={ratingsOf(item.dora)} />
          </Box>
        ))}
      </Box>
    </DoraTiles>
  );
}
