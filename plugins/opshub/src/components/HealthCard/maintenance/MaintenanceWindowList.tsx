import type { OpsHubMaintenanceWindow } from '@opshub/plugin-opshub-common';
import IconButton from '@material-ui/core/IconButton';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemSecondaryAction from '@material-ui/core/ListItemSecondaryAction';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import DeleteIcon from '@material-ui/icons/Delete';
import { describeWindow } from './maintenanceForm';

/** A check's maintenance windows; with `onDelete`, each can be deleted. */
export function MaintenanceWindowList(props: {
  windows: OpsHubMaintenanceWindow[];
  onDelete?(window: OpsHubMaintenanceWindow): void;
}) {
  if (props.windows.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        No maintenance windows.
      </Typography>
    );
  }
  return (
    <List dense disablePadding aria-label="Maintenance windows">
      {props.windows.map(window => (
        <ListItem key={window.id} disableGutters>
          <ListItemText
            primary={`${describeWindow(window)} (${window.timeZone})`}
            secondary={[window.reason, `by ${window.createdBy}`]
              .filter(Boolean)
              .join(' · ')}
          />
          {props.onDelete ? (
            <ListItemSecondaryAction>
              <IconButton
                edge="end"
                size="small"
                aria-label={`Delete the window ${describeWindow(window)}`}
                onClick={() => props.onDelete!(window)}
              >
                <DeleteIcon fontSize="small" />
              </IconButton>
            </ListItemSecondaryAction>
          ) : null}
        </ListItem>
      ))}
    </List>
  );
}
