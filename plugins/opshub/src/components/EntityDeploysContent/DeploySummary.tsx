import { InfoCard } from '@backstage/core-components';
import type {
  OpsHubDeployAnalytics,
  OpsHubDurationPercentiles,
} from '@opshub/plugin-opshub-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { formatDuration, formatSuccessRate } from '../shared/deployFormat';

/** One headline number: a group named by its label (for screen readers and tests). */
const Figure = (props: { label: string; value: string | number }) => (
  <Box role="group" aria-label={props.label} minWidth={120}>
    <Typography variant="caption" color="textSecondary">
      {props.label}
    </Typography>
    <Typography variant="h6">{props.value}</Typography>
  </Box>
);

const percentileFigures = (name: string, times: OpsHubDurationPercentiles) => [
  { label: `${name} P50`, value: formatDuration(times.p50Ms) },
  { label: `${name} P95`, value: formatDuration(times.p95Ms) },
  { label: `${name} P99`, value: formatDuration(times.p99Ms) },
];

/**
 * The window's counts by outcome, its success rate (superseded deploys left
 * out) and the total and build time percentiles of its succeeded deploys.
 */
export function DeploySummary(props: { analytics: OpsHubDeployAnalytics }) {
  const { deploys, totalTime, buildTime } = props.analytics;
  const figures = [
    { label: 'Deploys', value: deploys.total },
    { label: 'Success rate', value: formatSuccessRate(deploys.successRate) },
    { label: 'Succeeded', value: deploys.succeeded },
    { label: 'Failed', value: deploys.failed },
    { label: 'Cancelled', value: deploys.cancelled },
    { label: 'Superseded', value: deploys.superseded },
    ...percentileFigures('Total time', totalTime),
    ...percentileFigures('Build time', buildTime),
  ];
  return (
    <InfoCard title="Summary">
      <Box display="flex" flexWrap="wrap" style={{ gap: 24 }}>
        {figures.map(figure => (
          <Figure key={figure.label} {...figure} />
        ))}
      </Box>
    </InfoCard>
  );
}
