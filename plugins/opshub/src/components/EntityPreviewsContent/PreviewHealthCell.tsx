import type { OpsHubHealthCheck } from '@opshub/plugin-opshub-common';
import Tooltip from '@material-ui/core/Tooltip';
import { ago } from '../HealthCard/health';
import { HealthStateChip } from '../HealthCard/HealthStateChip';

/**
 * A preview's health: the state of OpsHub's check of its URL, the last
 * probe in the tooltip; blank while the preview has no check (not ready, or
 * preview checks are off).
 */
export function PreviewHealthCell(props: {
  prNumber: number;
  check: OpsHubHealthCheck | undefined;
}) {
  const { check } = props;
  if (!check) return null;
  const chip = (
    <span>
      <HealthStateChip
        state={check.state}
        label={`#${props.prNumber} health: ${check.state}`}
      />
    </span>
  );
  if (!check.lastProbeAt) return chip;
  return (
    <Tooltip
      title={`Probed ${ago(check.lastProbeAt)}${
        check.lastLatencyMs === null
          ? ''
          : ` · ${Math.round(check.lastLatencyMs)} ms`
      }${check.lastErrorClass ? ` · ${check.lastErrorClass}` : ''}`}
    >
      {chip}
    </Tooltip>
  );
}
