import type { OpsHubPreviewState } from '@opshub/plugin-opshub-common';
import Chip from '@material-ui/core/Chip';

const COLORS: Record<OpsHubPreviewState, 'default' | 'primary' | 'secondary'> =
  {
    queued: 'default',
    building: 'default',
    ready: 'primary',
    failed: 'secondary',
    'awaiting-approval': 'secondary',
    destroying: 'default',
    destroyed: 'default',
    expired: 'default',
  };

/** A preview's state as a chip: ready stands out, failures and waits too. */
export function PreviewStateChip(props: { state: OpsHubPreviewState }) {
  return (
    <Chip
      size="small"
      label={props.state}
      color={COLORS[props.state]}
      variant={props.state === 'ready' ? 'default' : 'outlined'}
    />
  );
}
