import type { Theme } from '@material-ui/core/styles';

/** The colour of each outcome in charts, from the app's theme. */
export const outcomeColors = (theme: Theme) => ({
  succeeded: theme.palette.success.main,
  failed: theme.palette.error.main,
  cancelled: theme.palette.grey[500],
  superseded: theme.palette.grey[400],
});
