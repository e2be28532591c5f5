import type { OpsHubDeployOutcome } from '@opshub/plugin-opshub-common';
import Chip from '@material-ui/core/Chip';
import { makeStyles } from '@material-ui/core/styles';

const useStyles = makeStyles(theme => ({
  succeeded: {
    backgroundColor: theme.palette.success.main,
    color: theme.palette.success.contrastText,
  },
  failed: {
    backgroundColor: theme.palette.error.main,
    color: theme.palette.error.contrastText,
  },
  cancelled: {},
  superseded: {},
  running: {},
}));

/** A deploy's outcome in words on a coloured chip; "running" while it has none. */
export function DeployOutcomeChip(props: {
  outcome: OpsHubDeployOutcome | null;
}) {
  const classes = useStyles();
  const outcome = props.outcome ?? 'running';
  return (
    <Chip
      size="small"
      label={outcome}
      className={classes[outcome]}
      variant={props.outcome === null ? 'outlined' : 'default'}
    />
  );
}
