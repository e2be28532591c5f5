import type { OpsHubHealthState } from '@opshub/plugin-opshub-common';
import Chip from '@material-ui/core/Chip';
import { makeStyles } from '@material-ui/core/styles';

const useStyles = makeStyles(theme => ({
  ok: {
    backgroundColor: theme.palette.success.main,
    color: theme.palette.success.contrastText,
  },
  degraded: {
    backgroundColor: theme.palette.warning.main,
    color: theme.palette.warning.contrastText,
  },
  down: {
    backgroundColor: theme.palette.error.main,
    color: theme.palette.error.contrastText,
  },
  maintenance: {
    backgroundColor: theme.palette.info.main,
    color: theme.palette.info.contrastText,
  },
  unknown: {},
}));

/**
 * A health state as a coloured chip that also says it in words (colour is
 * never the only cue); `label` is its accessible name, such as
 * "Health: down".
 */
export function HealthStateChip(props: {
  state: OpsHubHealthState;
  label: string;
}) {
  const classes = useStyles();
  return (
    <Chip
      size="small"
      label={props.state}
      aria-label={props.label}
      className={classes[props.state]}
    />
  );
}
