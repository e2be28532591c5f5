import type { OpsHubHealthCheck } from '@opshub/plugin-opshub-common';
import { OPSHUB_ANNOTATIONS } from '@opshub/plugin-opshub-common';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import IconButton from '@material-ui/core/IconButton';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import DeleteIcon from '@material-ui/icons/Delete';
import EditIcon from '@material-ui/icons/Edit';
import LockIcon from '@material-ui/icons/Lock';
import ScheduleIcon from '@material-ui/icons/Schedule';
import WarningIcon from '@material-ui/icons/Warning';
import { Fragment } from 'react';
import { HealthStateChip } from './HealthStateChip';
import { LatencyCell, type LatencyData } from './latency/LatencyCell';
import { LATENCY_RANGES } from './latency/latencyRange';
import { ago, formatUptime } from './health';

const COLUMNS = 7;

/**
 * An entity's health checks: state, last probe, uptime, latency over the
 * chosen range, incident; maintenance windows for all, and the manage
 * actions with `canManage`.
 */
export function HealthChecksTable(props: {
  checks: OpsHubHealthCheck[];
  latency: LatencyData;
  canManage: boolean;
  onEdit(check: OpsHubHealthCheck): void;
  onDelete(check: OpsHubHealthCheck): void;
  onMaintenance(check: OpsHubHealthCheck): void;
}) {
  const rangeLabel = LATENCY_RANGES.find(
    r => r.range === props.latency.range,
  )?.label;
  return (
    <Table size="small" aria-label="Health checks">
      <TableHead>
        <TableRow>
          <TableCell>Check</TableCell>
          <TableCell>State</TableCell>
          <TableCell>Last probe</TableCell>
          <TableCell>Uptime 24 h / 7 d / 30 d</TableCell>
          <TableCell>Latency ({rangeLabel})</TableCell>
          <TableCell>Incident</TableCell>
          <TableCell />
        </TableRow>
      </TableHead>
      <TableBody>
        {props.checks.map(check => (
          <Fragment key={check.id}>
            <TableRow data-testid={`health-check-${check.name}`}>
              <TableCell style={{ minWidth: 180 }}>
                <Typography variant="body2">
                  {check.name}
                  {check.source === 'annotation' ? (
                    <Box component="span" ml={1}>
                      <Chip
                        label="annotation"
                        size="small"
                        variant="outlined"
                      />
                    </Box>
                  ) : null}
                  {check.enabled ? null : (
                    <Box component="span" ml={1}>
                      <Chip label="paused" size="small" variant="outlined" />
                    </Box>
                  )}
                  {check.maintenance.length > 0 ? (
                    <Box component="span" ml={1}>
                      <Chip
                        label={`${check.maintenance.length} maintenance ${
                          check.maintenance.length === 1 ? 'window' : 'windows'
                        }`}
                        size="small"
                        variant="outlined"
                        clickable
                        onClick={() => props.onMaintenance(check)}
                      />
                    </Box>
                  ) : null}
                </Typography>
                <Typography
                  variant="caption"
                  color="textSecondary"
                  style={{ wordBreak: 'break-all' }}
                >
                  {check.method} {check.url}
                </Typography>
              </TableCell>
              <TableCell>
                <HealthStateChip
                  state={check.state}
                  label={`${check.name} state: ${check.state}`}
                />
              </TableCell>
              <TableCell style={{ whiteSpace: 'nowrap' }}>
                <LastProbe check={check} />
              </TableCell>
              <TableCell style={{ whiteSpace: 'nowrap' }}>
                {formatUptime(check.uptime.day)} /{' '}
                {formatUptime(check.uptime.week)} /{' '}
                {formatUptime(check.uptime.month)}
              </TableCell>
              <TableCell>
                <LatencyCell check={check} latency={props.latency} />
              </TableCell>
              <TableCell>
                {check.openIncident ? (
                  <Typography variant="body2">
                    {check.openIncident.state} since{' '}
                    {new Date(check.openIncident.openedAt).toLocaleString()}
                    {check.openIncident.errorClass
                      ? ` (${check.openIncident.errorClass})`
                      : ''}
                  </Typography>
                ) : (
                  <Typography variant="body2" color="textSecondary">
                    none
                  </Typography>
                )}
              </TableCell>
              <TableCell align="right" style={{ whiteSpace: 'nowrap' }}>
                {props.canManage ? <Actions {...props} check={check} /> : null}
              </TableCell>
            </TableRow>
            {check.configError ? (
              <TableRow>
                <TableCell colSpan={COLUMNS}>
                  <Box display="flex" alignItems="center" style={{ gap: 8 }}>
                    <WarningIcon fontSize="small" color="error" />
                    <Typography variant="body2" color="error">
                      {check.name} cannot be probed: {check.configError}
                    </Typography>
                  </Box>
                </TableCell>
              </TableRow>
            ) : null}
          </Fragment>
        ))}
      </TableBody>
    </Table>
  );
}

function LastProbe({ check }: { check: OpsHubHealthCheck }) {
  if (!check.lastProbeAt) {
    return (
      <Typography variant="body2" color="textSecondary">
        not yet
      </Typography>
    );
  }
  const details = [
    check.lastLatencyMs === null
      ? null
      : `${Math.round(check.lastLatencyMs)} ms`,
    check.lastStatusCode === null ? null : String(check.lastStatusCode),
    check.lastErrorClass,
  ].filter(Boolean);
  return (
    <>
      <Tooltip title={new Date(check.lastProbeAt).toLocaleString()}>
        <Typography variant="body2">
          {ago(check.lastProbeAt)}
          {details.length ? ` · ${details.join(' · ')}` : ''}
        </Typography>
      </Tooltip>
      {check.lastErrorMessage && (
        <Typography variant="caption" color="textSecondary">
          {check.lastErrorMessage}
        </Typography>
      )}
    </>
  );
}

/**
 * Maintenance windows, edit and delete; an annotation's check says where to
 * change it instead of edit and delete.
 */
function Actions(props: {
  check: OpsHubHealthCheck;
  onEdit(check: OpsHubHealthCheck): void;
  onDelete(check: OpsHubHealthCheck): void;
  onMaintenance(check: OpsHubHealthCheck): void;
}) {
  const { check } = props;
  return (
    <>
      <IconButton
        size="small"
        aria-label={`Maintenance of ${check.name}`}
        onClick={() => props.onMaintenance(check)}
      >
        <ScheduleIcon fontSize="small" />
      </IconButton>
      <DefinitionActions {...props} />
    </>
  );
}

function DefinitionActions(props: {
  check: OpsHubHealthCheck;
  onEdit(check: OpsHubHealthCheck): void;
  onDelete(check: OpsHubHealthCheck): void;
}) {
  const { check } = props;
  if (check.source === 'annotation') {
    return (
      <Tooltip
        title={`Declared by the ${OPSHUB_ANNOTATIONS.healthUrl} annotation: edit the annotation in catalog-info.yaml to change or remove it`}
      >
        <LockIcon
          fontSize="small"
          color="action"
          aria-label={`${check.name} is read-only`}
          role="img"
          tabIndex={0}
        />
      </Tooltip>
    );
  }
  return (
    <>
      <IconButton
        size="small"
        aria-label={`Edit ${check.name}`}
        onClick={() => props.onEdit(check)}
      >
        <EditIcon fontSize="small" />
      </IconButton>
      <IconButton
        size="small"
        aria-label={`Delete ${check.name}`}
        onClick={() => props.onDelete(check)}
      >
        <DeleteIcon fontSize="small" />
      </IconButton>
    </>
  );
}
