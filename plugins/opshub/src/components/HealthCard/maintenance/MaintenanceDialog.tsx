import type {
  OpsHubHealthCheck,
  OpsHubMaintenanceWindow,
  OpsHubMaintenanceWindowInput,
} from '@opshub/plugin-opshub-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import { ConfirmDeleteDialog } from '../../shared/ConfirmDeleteDialog';
import { describeWindow } from './maintenanceForm';
import { MaintenanceWindowForm } from './MaintenanceWindowForm';
import { MaintenanceWindowList } from './MaintenanceWindowList';

/**
 * A check's maintenance windows (its probes during one do not count, and it
 * shows `maintenance`); managers add and delete them here, a deletion after
 * a confirmation.
 */
export function MaintenanceDialog(props: {
  check: OpsHubHealthCheck;
  canManage: boolean;
  onAdd(input: OpsHubMaintenanceWindowInput): Promise<unknown>;
  onDelete(window: OpsHubMaintenanceWindow): void;
  onClose(): void;
}) {
  const { check, canManage } = props;
  const [deleting, setDeleting] = useState<OpsHubMaintenanceWindow>();
  return (
    <>
      <Dialog
        open
        onClose={props.onClose}
        aria-labelledby="opshub-maintenance-dialog"
        maxWidth="sm"
        fullWidth
      >
        <DialogTitle id="opshub-maintenance-dialog">
          Maintenance of {check.name}
        </DialogTitle>
        <DialogContent>
          <Typography variant="body2" color="textSecondary" paragraph>
            During a window the check shows maintenance, sends no alerts, and
            its probes do not count towards uptime.
          </Typography>
          <MaintenanceWindowList
            windows={check.maintenance}
            onDelete={canManage ? setDeleting : undefined}
          />
          {canManage ? <MaintenanceWindowForm onAdd={props.onAdd} /> : null}
        </DialogContent>
        <DialogActions>
          <Button onClick={props.onClose}>Close</Button>
        </DialogActions>
      </Dialog>
      {deleting ? (
        <ConfirmDeleteDialog
          id="opshub-maintenance-delete"
          title={`Delete the window ${describeWindow(deleting)}?`}
          consequence={`${check.name} is probed and alerts as usual at those times again.`}
          onCancel={() => setDeleting(undefined)}
          onDelete={() => {
            setDeleting(undefined);
            props.onDelete(deleting);
          }}
        />
      ) : null}
    </>
  );
}
