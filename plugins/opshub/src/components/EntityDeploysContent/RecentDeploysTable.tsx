import { Link, type TableColumn } from '@backstage/core-components';
import type { OpsHubDeployEvent } from '@opshub/plugin-opshub-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { formatDuration } from '../shared/deployFormat';
import { TableCard } from '../shared/TableCard';
import { useEntityTabLink } from '../shared/useEntityTabLink';
import { DeployOutcomeChip } from './DeployOutcomeChip';

/** The pull request's page on GitHub, when the repository and number are known. */
export const pullRequestUrl = (deploy: OpsHubDeployEvent) =>
  deploy.repository && deploy.prNumber !== null
    ? `https://github.com/${deploy.repository}/pull/${deploy.prNumber}`
    : undefined;

/** Links of a deploy: its pull request, its preview (the Previews tab), its provider's page. */
const DeployLinks = ({ deploy }: { deploy: OpsHubDeployEvent }) => {
  const tabLink = useEntityTabLink();
  const pullRequest = pullRequestUrl(deploy);
  return (
    <Box display="flex" flexWrap="wrap" style={{ gap: 12 }}>
      {pullRequest ? <Link to={pullRequest}>PR #{deploy.prNumber}</Link> : null}
      {deploy.previewId ? (
        <Link to={tabLink(deploy.entityRef, 'previews')}>Preview</Link>
      ) : null}
      {deploy.url ? (
        <Link
          to={deploy.url}
          aria-label={`${deploy.provider} page of the deploy`}
        >
          {deploy.provider}
        </Link>
      ) : null}
    </Box>
  );
};

const columns: TableColumn<OpsHubDeployEvent>[] = [
  {
    title: 'Queued',
    render: d => new Date(d.queuedAt).toLocaleString(),
  },
  {
    title: 'Environment',
    render: d => (
      <>
        <Typography variant="body2">{d.environment}</Typography>
        <Typography variant="caption" color="textSecondary">
          {d.environmentClass} · {d.headSha.slice(0, 7)}
        </Typography>
      </>
    ),
  },
  { title: 'Outcome', render: d => <DeployOutcomeChip outcome={d.outcome} /> },
  {
    title: 'Error class',
    render: d =>
      d.errorClass ? (
        <>
          <Typography variant="body2">{d.errorClass}</Typography>
          {d.errorCode ? (
            <Typography variant="caption" color="textSecondary">
              {d.errorCode}
            </Typography>
          ) : null}
        </>
      ) : (
        ''
      ),
  },
  { title: 'Total time', render: d => formatDuration(d.totalTimeMs) },
  { title: 'Build time', render: d => formatDuration(d.buildTimeMs) },
  { title: 'Links', render: d => <DeployLinks deploy={d} /> },
];

/** The window's newest deploys (at most 50), newest first. */
export function RecentDeploysTable(props: { recent: OpsHubDeployEvent[] }) {
  return (
    <TableCard
      title="Recent deploys"
      state={{ loading: false, value: props.recent }}
      columns={columns}
      empty="No deploys in this window."
    />
  );
}
