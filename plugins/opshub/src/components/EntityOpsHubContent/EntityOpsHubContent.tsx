import { getCompoundEntityRef } from '@backstage/catalog-model';
import {
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
  StructuredMetadataTable,
  WarningPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  MissingAnnotationEmptyState,
  useEntity,
} from '@backstage/plugin-catalog-react';
import {
  OPSHUB_ANNOTATIONS,
  type OpsHubEntitySummary,
} from '@opshub/plugin-opshub-common';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { opshubApiRef } from '../../api/OpsHubApi';

/**
 * The OpsHub tab of a Component's entity page: what OpsHub knows of the
 * entity, from the backend's summary route.
 *
 * @public
 */
export function EntityOpsHubContent() {
  const { entity } = useEntity();
  const opshubApi = useApi(opshubApiRef);
  const ref = getCompoundEntityRef(entity);
  const { value, loading, error } = useAsync(
    () => opshubApi.getEntitySummary(ref),
    [opshubApi, ref.kind, ref.namespace, ref.name],
  );

  if (loading) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  if (!value) return null;
  if (!value.configured) {
    return (
      <>
        <Problems summary={value} />
        <MissingAnnotationEmptyState
          annotation={[
            OPSHUB_ANNOTATIONS.projectSlug,
            OPSHUB_ANNOTATIONS.previewProvider,
          ]}
        />
      </>
    );
  }
  return <SummaryCards summary={value} />;
}

// Show titles as written, not lodash-startCased.
const keepTitles = { titleFormat: (key: string) => key };

function SummaryCards({ summary }: { summary: OpsHubEntitySummary }) {
  const { annotations } = summary;
  const repository = annotations.projectSlug!;
  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <Problems summary={summary} />
      </Grid>
      <Grid item xs={12} md={6}>
        <InfoCard title="OpsHub project">
          <StructuredMetadataTable
            options={keepTitles}
            metadata={{
              Repository: (
                <Link to={`https://github.com/${repository}`}>
                  {repository}
                </Link>
              ),
              'Preview provider': annotations.previewProvider ?? 'not set',
              'Vercel project': annotations.vercelProjectId ?? '—',
              'Netlify site': annotations.netlifySiteId ?? '—',
              'Slack channel': annotations.slackChannel ?? 'default',
              'Tracked since': summary.trackedSince
                ? new Date(summary.trackedSince).toLocaleString()
                : 'waiting for the next catalog sync',
            }}
          />
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={6}>
        <InfoCard title="At a glance">
          {summary.counts.length === 0 ? (
            <Typography variant="body2" color="textSecondary">
              Nothing counted yet. Previews, environment variables, health
              checks and deploys show up here as OpsHub tracks them.
            </Typography>
          ) : (
            <StructuredMetadataTable
              options={keepTitles}
              metadata={Object.fromEntries(
                summary.counts.map(count => [count.title, count.value]),
              )}
            />
          )}
        </InfoCard>
      </Grid>
    </Grid>
  );
}

function Problems({ summary }: { summary: OpsHubEntitySummary }) {
  if (summary.problems.length === 0) return null;
  return (
    <WarningPanel
      title="Some OpsHub annotations could not be used"
      defaultExpanded
    >
      <ul>
        {summary.problems.map(problem => (
          <li key={problem.annotation}>
            <code>{problem.annotation}</code> {problem.message}
          </li>
        ))}
      </ul>
    </WarningPanel>
  );
}
