import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import type { OpsHubEnvVar } from '@opshub/plugin-opshub-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Drawer from '@material-ui/core/Drawer';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemSecondaryAction from '@material-ui/core/ListItemSecondaryAction';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { opshubApiRef } from '../../api/OpsHubApi';
import { keyOf, labelOf } from './envVars';

/**
 * A variable's versions, newest first, without values; each earlier one that
 * holds a value can be restored (as a new version).
 */
export function VersionsDrawer(props: {
  entityRef: CompoundEntityRef;
  envVar: OpsHubEnvVar;
  canRestore: boolean;
  onClose(): void;
  onRestore(version: number): Promise<void>;
}) {
  const { entityRef, envVar } = props;
  const api = useApi(opshubApiRef);
  const state = useAsyncRetry(
    () => api.listEnvVarVersions(entityRef, keyOf(envVar)),
    [api, envVar.environment, envVar.name, envVar.branch, envVar.version],
  );
  const versions = [...(state.value ?? [])].sort(
    (a, b) => b.version - a.version,
  );
  return (
    <Drawer anchor="right" open onClose={props.onClose}>
      <Box width={420} p={2} role="region" aria-label="Versions">
        <Typography variant="h6">
          Versions of {labelOf(envVar)} in {envVar.environment}
        </Typography>
        {state.loading && !state.value ? <Progress /> : null}
        {state.error ? <ResponseErrorPanel error={state.error} /> : null}
        <List dense>
          {versions.map(v => (
            <ListItem key={v.version}>
              <ListItemText
                primary={`Version ${v.version}${v.deleted ? ' (deleted)' : ''}${
                  v.version === envVar.version ? ' (current)' : ''
                }`}
                secondary={`${v.actor}, ${new Date(
                  v.createdAt,
                ).toLocaleString()}${v.comment ? `: ${v.comment}` : ''}`}
              />
              {props.canRestore &&
              !v.deleted &&
              v.version !== envVar.version ? (
                <ListItemSecondaryAction>
                  <Button
                    size="small"
                    aria-label={`Restore version ${v.version}`}
                    onClick={async () => {
                      await props.onRestore(v.version);
                      state.retry();
                    }}
                  >
                    Restore
                  </Button>
                </ListItemSecondaryAction>
              ) : null}
            </ListItem>
          ))}
        </List>
      </Box>
    </Drawer>
  );
}
