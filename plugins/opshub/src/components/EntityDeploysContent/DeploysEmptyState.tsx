import { EmptyState } from '@backstage/core-components';
import Typography from '@material-ui/core/Typography';

/**
 * No deploy in the window: how OpsHub learns of deploys (previews count
 * by themselves; production deploys come from GitHub's deployment webhooks).
 */
export function DeploysEmptyState() {
  return (
    <EmptyState
      missing="data"
      title="No deploys in this window"
      description={
        <>
          <Typography component="span" display="block" paragraph>
            Every preview OpsHub builds for a pull request counts automatically.
          </Typography>
          <Typography component="span" display="block" paragraph>
            For production deploys, add a webhook to the GitHub repository that
            sends the <b>Deployments</b> and <b>Deployment statuses</b> events
            to <code>/api/opshub/webhooks/github</code> on your Backstage
            backend, with OpsHub's webhook secret. Deployments to environments
            matching <code>opshub.analytics.productionEnvironments</code> (by
            default <code>production</code> and <code>prod*</code>) count as
            production deploys, once the entity's repository is verified.
          </Typography>
          <Typography component="span" display="block">
            Pick a longer range or another environment to see older deploys.
          </Typography>
        </>
      }
    />
  );
}
