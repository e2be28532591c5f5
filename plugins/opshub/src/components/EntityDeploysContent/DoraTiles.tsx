import { InfoCard } from '@backstage/core-components';
import type {
  OpsHubDoraMetrics,
  OpsHubDoraRating,
  OpsHubDoraUnavailableReason,
} from '@opshub/plugin-opshub-common';
import Box from '@material-ui/core/Box';
import IconButton from '@material-ui/core/IconButton';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import InfoOutlinedIcon from '@material-ui/icons/InfoOutlined';
import type { ReactNode } from 'react';
import { DoraRatingChip } from '../shared/DoraRatingChip';
import {
  countOf,
  DORA_DEFINITIONS,
  DORA_KEYS,
  DORA_LABELS,
  DORA_REASONS,
  type DoraKey,
  formatDecimal,
  formatHours,
  formatPercent,
} from '../shared/doraText';

/** A key's headline value ("—" without one) and the counts behind it. */
function figuresOf(
  dora: OpsHubDoraMetrics,
  key: DoraKey,
): { value: string | null; detail: string } {
  switch (key) {
    case 'deploymentFrequency': {
      const { medianDeployDaysPerWeek: week, medianDeployDaysPerMonth: month } =
        dora.deploymentFrequency;
      return {
        value:
          week === null ? null : `${formatDecimal(week)} deploy days / week`,
        detail: [
          month === null ? null : `${formatDecimal(month)} deploy days / month`,
          countOf(dora.deploymentFrequency.deploys, 'deploy'),
        ]
          .filter(Boolean)
          .join(' · '),
      };
    }
    case 'leadTimeForChanges': {
      const { medianHours, changes } = dora.leadTimeForChanges;
      return {
        value: medianHours === null ? null : formatHours(medianHours),
        detail: `${countOf(changes, 'change')} deployed`,
      };
    }
    case 'changeFailureRate': {
      const { value, failedDeploys, deploys } = dora.changeFailureRate;
      return {
        value: value === null ? null : formatPercent(value),
        detail: `${failedDeploys} failed of ${countOf(deploys, 'deploy')}`,
      };
    }
    case 'recoveryTime': {
      const { medianHours, incidents } = dora.recoveryTime;
      return {
        value: medianHours === null ? null : formatHours(medianHours),
        detail: countOf(incidents, 'recovered incident'),
      };
    }
    default:
      throw new Error(`Unknown DORA key ${key satisfies never}`);
  }
}

/**
 * One key: a group named after it, holding its value, its rating chip (or
 * why it has none) and an info button whose tooltip defines it.
 */
function DoraTile(props: {
  doraKey: DoraKey;
  figures: { value: string | null; detail: string };
  rating: OpsHubDoraRating | null;
  reason: OpsHubDoraUnavailableReason | null;
}) {
  const { name } = DORA_LABELS[props.doraKey];
  const { value, detail } = props.figures;
  return (
    <Box role="group" aria-label={name} flex="1 1 200px" minWidth={200}>
      <Box display="flex" alignItems="center">
        <Typography variant="caption" color="textSecondary">
          {name}
        </Typography>
        <Tooltip title={DORA_DEFINITIONS[props.doraKey]}>
          <IconButton size="small" aria-label={`About ${name.toLowerCase()}`}>
            <InfoOutlinedIcon fontSize="inherit" />
          </IconButton>
        </Tooltip>
      </Box>
      <Box display="flex" alignItems="center" style={{ gap: 8 }}>
        <Typography variant="h6">{value ?? '—'}</Typography>
        {props.rating ? <DoraRatingChip rating={props.rating} /> : null}
      </Box>
      <Typography variant="body2" color="textSecondary">
        {props.reason ? DORA_REASONS[props.reason] : detail}
      </Typography>
    </Box>
  );
}

/**
 * DORA's four keys with their ratings, each defined in a tooltip; counted
 * over production deploys only.
 */
export function DoraTiles(props: {
  dora: OpsHubDoraMetrics;
  title?: string;
  subheader?: string;
  /** Shown in the card's header, such as a window picker. */
  action?: ReactNode;
  /** Shown below the tiles. */
  children?: ReactNode;
}) {
  return (
    <InfoCard
      title={props.title ?? 'DORA metrics'}
      action={props.action}
      subheader={
        props.subheader ??
        'Production deploys only, whatever the environment picked.'
      }
    >
      <Box display="flex" flexWrap="wrap" style={{ gap: 24 }}>
        {DORA_KEYS.map(key => (
          <DoraTile
            key={key}
            doraKey={key}
            figures={figuresOf(props.dora, key)}
            rating={props.dora[key].rating}
            reason={props.dora[key].reason}
          />
        ))}
      </Box>
      {props.children}
    </InfoCard>
  );
}
