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
  type OpsHubBinding,
  type OpsHubEntitySummary,
  type OpsHubRole,
} from '@opshub/plugin-opshub-common';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { opshubApiRef } from '../../api/OpsHubApi';
import { ActivityCard } from '../ActivityCard';
import { EnvVarsCard } from '../EnvVarsCard';
import { HealthCard } from '../HealthCard';
import { isForbidden } from '../isForbidden';
import { RolesCard } from '../RolesCard';
import { describeVerification } from '../shared/bindingStatus';

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
  const { value, loading, error } = useAsync(async () => {
    const [summary, standing] = await Promise.all([
      opshubApi.getEntitySummary(ref),
      opshubApi.getEffectiveRole(ref),
    ]);
    return { ...summary, standing };
  }, [opshubApi, ref.kind, ref.namespace, ref.name]);

  if (loading) return <Progress />;
  if (error) {
    return isForbidden(error) ? (
      <WarningPanel title="You hold no OpsHub role on this project">
        Ask one of its owners (or an OpsHub org owner) for a role, or join the
        group that owns it in the catalog.
      </WarningPanel>
    ) : (
      <ResponseErrorPanel error={error} />
    );
  }
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
  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <SummaryCards summary={value} role={value.standing.role} />
      </Grid>
      {value.standing.permissions['opshub.health.read'] === true ? (
        <Grid item xs={12}>
          <HealthCard
            entityRef={ref}
            permissions={value.standing.permissions}
          />
        </Grid>
      ) : null}
      {value.standing.permissions['opshub.envvar.read'] === true ? (
        <Grid item xs={12}>
          <EnvVarsCard
            entityRef={ref}
            permissions={value.standing.permissions}
          />
        </Grid>
      ) : null}
      <Grid item xs={12} md={6}>
        <RolesCard
          scope={ref}
          canManage={value.standing.permissions['opshub.role.manage'] === true}
        />
      </Grid>
      <Grid item xs={12} md={6}>
        <ActivityCard scope={ref} />
      </Grid>
    </Grid>
  );
}

// Show titles as written, not lodash-startCased.
const keepTitles = { titleFormat: (key: string) => key };

function SummaryCards({
  summary,
  role,
}: {
  summary: OpsHubEntitySummary;
  role: OpsHubRole | null;
}) {
  const { annotations } = summary;
  const repository = annotations.projectSlug!;
  // (A backend older than repository bindings sends none.)
  const binding = summary.binding ?? null;
  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <Problems summary={summary} />
      </Grid>
      {binding && !binding.verified ? (
        <Grid item xs={12}>
          <UnverifiedBinding binding={binding} />
        </Grid>
      ) : null}
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
              ...(binding && {
                Binding:
                  describeVerification(binding) ??
                  'not verified: previews are off',
              }),
              'Preview provider': annotations.previewProvider ?? 'not set',
              'Vercel project': annotations.vercelProjectId ?? '—',
              'Netlify site': annotations.netlifySiteId ?? '—',
              'Slack channel': annotations.slackChannel ?? 'default',
              'Your role': role ?? 'none',
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
              Nothing counted yet.
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

/**
 * OpsHub does not trust the entity's claim on its repository: no previews,
 * nothing written to GitHub. Says why and how to fix it (the backend's
 * `problem`).
 */
function UnverifiedBinding({ binding }: { binding: OpsHubBinding }) {
  return (
    <WarningPanel
      title={`Previews are off for this entity: its binding to ${binding.repository} is not verified`}
      defaultExpanded
    >
      <Typography variant="body2" paragraph>
        {binding.problem ??
          'OpsHub has not verified that this entity belongs to the repository.'}
      </Typography>
      <Typography variant="body2">
        Until it is verified, OpsHub starts no previews for the repository's
        pull requests and writes nothing to it. An OpsHub org owner can approve
        the binding on the OpsHub administration page.
      </Typography>
    </WarningPanel>
  );
}
