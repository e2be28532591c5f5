import type { OpsHubDoraRating } from '@opshub/plugin-opshub-common';
import Chip from '@material-ui/core/Chip';
import { makeStyles } from '@material-ui/core/styles';

const useStyles = makeStyles(theme => ({
  elite: {
    backgroundColor: theme.palette.success.main,
    color: theme.palette.success.contrastText,
  },
  high: {
    backgroundColor: theme.palette.info.main,
    color: theme.palette.info.contrastText,
  },
  medium: {
    backgroundColor: theme.palette.warning.main,
    color: theme.palette.warning.contrastText,
  },
  low: {
    backgroundColor: theme.palette.error.main,
    color: theme.palette.error.contrastText,
  },
}));

/**
 * A DORA rating in words on a chip coloured by the theme (elite: success,
 * high: info, medium: warning, low: error), "—" without one; `label`
 * replaces the words shown (then name it in full with `aria-label`).
 */
export function DoraRatingChip(props: {
  rating: OpsHubDoraRating | null;
  label?: string;
  'aria-label'?: string;
  tabIndex?: number;
}) {
  const classes = useStyles();
  const { rating } = props;
  return (
    <Chip
      size="small"
      label={props.label ?? rating ?? '—'}
      aria-label={props['aria-label']}
      tabIndex={props.tabIndex}
      className={rating ? classes[rating] : undefined}
      variant={rating ? 'default' : 'outlined'}
    />
  );
}
