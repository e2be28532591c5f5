import type { CompoundEntityRef } from '@backstage/catalog-model';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import {
  OPSHUB_ANNOTATIONS,
  type OpsHubHealthCheck,
  type OpsHubHealthCheckInput,
  type OpsHubMaintenanceWindow,
  type OpsHubMaintenanceWindowInput,
} from '@opshub/plugin-opshub-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import { opshubApiRef } from '../../api/OpsHubApi';
import { ConfirmDeleteDialog } from '../shared/ConfirmDeleteDialog';
import { messageOf } from './health';
import { HealthCheckDialog } from './HealthCheckDialog';
import { HealthChecksTable } from './HealthChecksTable';
import { HealthStateChip } from './HealthStateChip';
import { LatencyRangeButtons } from './latency/LatencyRangeButtons';
import type { LatencyRange } from './latency/latencyRange';
import { useRollups } from './latency/useRollups';
import { MaintenanceDialog } from './maintenance/MaintenanceDialog';
import { useHealth } from './useHealth';

/** What the card is showing on top of the table. */
type Overlay =
  | { kind: 'add' }
  | { kind: 'edit'; check: OpsHubHealthCheck }
  | { kind: 'delete'; check: OpsHubHealthCheck }
  /** (By id: the dialog shows the check as it is after each reload.) */
  | { kind: 'maintenance'; checkId: string }
  | null;

/**
 * An entity's health: its state, and per check the state, last probe,
 * uptime over 24 hours, 7 days and 30 days, a latency sparkline with its
 * P95 (the last day's probes, or 7 or 30 days of hourly P95s), the open
 * incident and its maintenance windows; live through the entity's health
 * signals. With `opshub.health.manage` among `permissions` (the caller's
 * OpsHub permissions on the entity), checks and their maintenance windows
 * are added, edited and deleted here; checks declared by the annotation
 * are changed in the annotation only.
 *
 * @public
 */
export function HealthCard(props: {
  entityRef: CompoundEntityRef;
  permissions: Record<string, boolean>;
}) {
  const { entityRef } = props;
  const api = useApi(opshubApiRef);
  const alertApi = useApi(alertApiRef);
  const [range, setRange] = useState<LatencyRange>('24h');
  const { value, loading, error, reload } = useHealth(entityRef, {
    samples: range === '24h',
  });
  const rollups = useRollups(entityRef, value?.health.checks, range);
  const [overlay, setOverlay] = useState<Overlay>(null);
  const canManage = props.permissions['opshub.health.manage'] === true;

  const saved = (message: string) => {
    alertApi.post({ message, severity: 'success', display: 'transient' });
    reload();
  };
  // The dialog shows the backend's refusal itself, so these let it throw.
  const create = async (input: OpsHubHealthCheckInput) => {
    await api.createHealthCheck(entityRef, input);
    saved(`Added the check ${input.name}`);
  };
  const update = async (
    check: OpsHubHealthCheck,
    changes: Partial<OpsHubHealthCheckInput>,
  ) => {
    await api.updateHealthCheck(entityRef, check.id, changes);
    saved(`Saved the check ${changes.name ?? check.name}`);
  };
  const remove = async (check: OpsHubHealthCheck) => {
    setOverlay(null);
    try {
      await api.deleteHealthCheck(entityRef, check.id);
      saved(`Deleted the check ${check.name}`);
    } catch (e) {
      alertApi.post({ message: messageOf(e), severity: 'error' });
      reload();
    }
  };

  const addWindow = async (
    check: OpsHubHealthCheck,
    input: OpsHubMaintenanceWindowInput,
  ) => {
    await api.addMaintenanceWindow(entityRef, check.id, input);
    saved(`Added a maintenance window to ${check.name}`);
  };
  const deleteWindow = async (
    check: OpsHubHealthCheck,
    window: OpsHubMaintenanceWindow,
  ) => {
    try {
      await api.deleteMaintenanceWindow(entityRef, check.id, window.id);
      saved(`Deleted a maintenance window of ${check.name}`);
    } catch (e) {
      alertApi.post({ message: messageOf(e), severity: 'error' });
      reload();
    }
  };

  const health = value?.health;
  const maintained =
    overlay?.kind === 'maintenance'
      ? health?.checks.find(c => c.id === overlay.checkId)
      : undefined;
  return (
    <InfoCard
      title={
        <Box display="flex" alignItems="center" style={{ gap: 12 }}>
          Health
          {health ? (
            <HealthStateChip
              state={health.state}
              label={`Health: ${health.state}`}
            />
          ) : null}
        </Box>
      }
      noPadding
      action={
        <Box pt={1} pr={1} display="flex" style={{ gap: 8 }}>
          <LatencyRangeButtons range={range} onChange={setRange} />
          {canManage ? (
            <Button
              color="primary"
              variant="contained"
              size="small"
              onClick={() => setOverlay({ kind: 'add' })}
            >
              Add check
            </Button>
          ) : null}
        </Box>
      }
    >
      {loading && !value ? <Progress /> : null}
      {error ? <ResponseErrorPanel error={error} /> : null}
      {health && health.checks.length === 0 ? (
        <NoChecks canManage={canManage} />
      ) : null}
      {health && health.checks.length > 0 ? (
        <HealthChecksTable
          checks={health.checks}
          latency={{ range, samples: value.samples, rollups }}
          canManage={canManage}
          onEdit={check => setOverlay({ kind: 'edit', check })}
          onDelete={check => setOverlay({ kind: 'delete', check })}
          onMaintenance={check =>
            setOverlay({ kind: 'maintenance', checkId: check.id })
          }
        />
      ) : null}

      {overlay?.kind === 'add' || overlay?.kind === 'edit' ? (
        <HealthCheckDialog
          existing={overlay.kind === 'edit' ? overlay.check : undefined}
          onClose={() => setOverlay(null)}
          onCreate={create}
          onUpdate={update}
        />
      ) : null}
      {overlay?.kind === 'delete' ? (
        <ConfirmDeleteDialog
          id="opshub-health-delete"
          title={`Delete the check ${overlay.check.name}?`}
          consequence="Its probes stop, and its samples and incidents are deleted with it."
          onCancel={() => setOverlay(null)}
          onDelete={() => remove(overlay.check)}
        />
      ) : null}
      {maintained ? (
        <MaintenanceDialog
          check={maintained}
          canManage={canManage}
          onAdd={input => addWindow(maintained, input)}
          onDelete={window => deleteWindow(maintained, window)}
          onClose={() => setOverlay(null)}
        />
      ) : null}
    </InfoCard>
  );
}

function NoChecks({ canManage }: { canManage: boolean }) {
  return (
    <Box p={2}>
      <Typography variant="subtitle1">No health checks</Typography>
      <Typography variant="body2" color="textSecondary">
        {canManage
          ? 'Add one with the Add check button, or declare'
          : 'Declare'}{' '}
        a URL to probe with the <code>{OPSHUB_ANNOTATIONS.healthUrl}</code>{' '}
        annotation in the entity's catalog-info.yaml.
      </Typography>
    </Box>
  );
}
