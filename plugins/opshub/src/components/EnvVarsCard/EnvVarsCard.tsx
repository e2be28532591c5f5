import type { CompoundEntityRef } from '@backstage/catalog-model';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
  WarningPanel,
} from '@backstage/core-components';
import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import type { OpsHubEnvVar } from '@opshub/plugin-opshub-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Tab from '@material-ui/core/Tab';
import Tabs from '@material-ui/core/Tabs';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { opshubApiRef } from '../../api/OpsHubApi';
import { ConfirmDeleteDialog } from '../shared/ConfirmDeleteDialog';
import { EnvVarDialog, type EnvVarChange } from './EnvVarDialog';
import { EnvVarsTable } from './EnvVarsTable';
import { environmentsOf, keyOf, labelOf, statusOf } from './envVars';
import { ImportDialog } from './ImportDialog';
import { useReveal } from './useReveal';
import { VersionsDrawer } from './VersionsDrawer';

/** What the card is showing on top of the table. */
type Overlay =
  | { kind: 'add' }
  | { kind: 'edit'; envVar: OpsHubEnvVar }
  | { kind: 'delete'; envVar: OpsHubEnvVar }
  | { kind: 'versions'; envVar: OpsHubEnvVar }
  | { kind: 'import' }
  | null;

/**
 * An entity's environment variables, a tab per environment: values masked,
 * revealed on demand (with `opshub.envvar.reveal`, masked again after
 * `remaskAfterMs`), added, edited, deleted, restored from a version,
 * imported from and exported to `.env`. `permissions` are the caller's
 * OpsHub permissions on the entity (its effective role's).
 *
 * @public
 */
export function EnvVarsCard(props: {
  entityRef: CompoundEntityRef;
  permissions: Record<string, boolean>;
  remaskAfterMs?: number;
}) {
  const { entityRef, permissions } = props;
  const api = useApi(opshubApiRef);
  const alertApi = useApi(alertApiRef);
  const state = useAsyncRetry(
    () => api.listEnvVars(entityRef),
    [api, entityRef.kind, entityRef.namespace, entityRef.name],
  );
  const [environment, setEnvironment] = useState('production');
  const [overlay, setOverlay] = useState<Overlay>(null);
  const reveal = useReveal(entityRef, props.remaskAfterMs);

  const canReveal = permissions['opshub.envvar.reveal'] === true;
  const canWrite =
    environment === 'production'
      ? permissions['opshub.envvar.write.production'] === true
      : permissions['opshub.envvar.write'] === true ||
        permissions['opshub.envvar.write.production'] === true;

  /** Runs a change, says how it went, reloads; true if it succeeded. */
  const change = async (success: string, run: () => Promise<unknown>) => {
    try {
      await run();
      alertApi.post({
        message: success,
        severity: 'success',
        display: 'transient',
      });
      return true;
    } catch (e) {
      alertApi.post({ message: (e as Error).message, severity: 'error' });
      return false;
    } finally {
      state.retry();
    }
  };

  if (statusOf(state.error) === 503) {
    return (
      <InfoCard title="Environment variables">
        <NoKeyConfigured />
      </InfoCard>
    );
  }

  const vars = state.value ?? [];
  const environments = environmentsOf(vars);
  const shown = vars
    .filter(v => v.environment === environment)
    .sort(
      (a, b) =>
        a.name.localeCompare(b.name) ||
        (a.branch ?? '').localeCompare(b.branch ?? ''),
    );

  const save = ({ key, value, sensitive, comment }: EnvVarChange) =>
    change(`Saved ${labelOf(key)} in ${key.environment}`, () =>
      api.setEnvVar(entityRef, key, {
        value,
        ...(sensitive && { sensitive }),
        ...(comment && { comment }),
      }),
    );

  const exportEnv = () =>
    change(`Exported ${environment}`, async () => {
      const text = await api.exportEnvVars(entityRef, environment);
      const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = `${entityRef.name}.${environment}.env`;
      link.click();
      URL.revokeObjectURL(url);
    });

  return (
    <InfoCard
      title="Environment variables"
      noPadding
      action={
        <Box display="flex" style={{ gap: 8 }} pt={1} pr={1}>
          {canWrite ? (
            <>
              <Button
                color="primary"
                variant="contained"
                size="small"
                onClick={() => setOverlay({ kind: 'add' })}
              >
                Add variable
              </Button>
              <Button
                size="small"
                onClick={() => setOverlay({ kind: 'import' })}
              >
                Import
              </Button>
            </>
          ) : null}
          {canReveal ? (
            <Button size="small" onClick={exportEnv}>
              Export
            </Button>
          ) : null}
        </Box>
      }
    >
      <Tabs
        value={environments.includes(environment) ? environment : 'production'}
        onChange={(_event, next: string) => setEnvironment(next)}
        indicatorColor="primary"
        variant="scrollable"
        aria-label="Environments"
      >
        {environments.map(e => (
          <Tab key={e} value={e} label={e} />
        ))}
      </Tabs>
      {state.loading && !state.value ? <Progress /> : null}
      {state.error ? <ResponseErrorPanel error={state.error} /> : null}
      {state.value ? (
        <EnvVarsTable
          vars={shown}
          environment={environment}
          canReveal={canReveal}
          canWrite={canWrite}
          revealed={reveal.revealed}
          onReveal={v => reveal.show(v)}
          onHide={v => reveal.hide(v)}
          onEdit={v => setOverlay({ kind: 'edit', envVar: v })}
          onDelete={v => setOverlay({ kind: 'delete', envVar: v })}
          onVersions={v => setOverlay({ kind: 'versions', envVar: v })}
        />
      ) : null}

      {overlay?.kind === 'add' || overlay?.kind === 'edit' ? (
        <EnvVarDialog
          environment={environment}
          existing={overlay.kind === 'edit' ? overlay.envVar : undefined}
          onClose={() => setOverlay(null)}
          onSave={save}
        />
      ) : null}
      {overlay?.kind === 'delete' ? (
        <ConfirmDeleteDialog
          id="opshub-envvar-delete"
          title={`Delete ${labelOf(overlay.envVar)} from ${
            overlay.envVar.environment
          }?`}
          consequence="Its versions stay, and an earlier one can be restored."
          onCancel={() => setOverlay(null)}
          onDelete={async () => {
            const { envVar } = overlay;
            setOverlay(null);
            await change(
              `Deleted ${labelOf(envVar)} from ${envVar.environment}`,
              () => api.deleteEnvVar(entityRef, keyOf(envVar)),
            );
          }}
        />
      ) : null}
      {overlay?.kind === 'versions' ? (
        <VersionsDrawer
          entityRef={entityRef}
          envVar={
            // The current row, so a restore shows its new version.
            vars.find(
              v =>
                v.environment === overlay.envVar.environment &&
                v.name === overlay.envVar.name &&
                v.branch === overlay.envVar.branch,
            ) ?? overlay.envVar
          }
          canRestore={canWrite}
          onClose={() => setOverlay(null)}
          onRestore={async version => {
            const { envVar } = overlay;
            await change(
              `Restored version ${version} of ${labelOf(envVar)}`,
              () => api.restoreEnvVarVersion(entityRef, keyOf(envVar), version),
            );
          }}
        />
      ) : null}
      {overlay?.kind === 'import' ? (
        <ImportDialog
          entityRef={entityRef}
          environment={environment}
          onClose={() => setOverlay(null)}
          onImported={state.retry}
        />
      ) : null}
    </InfoCard>
  );
}

/** The backend has no encryption key (503): how to configure one. */
function NoKeyConfigured() {
  return (
    <WarningPanel
      title="Environment variables are off: no encryption key is configured"
      defaultExpanded
    >
      <Typography variant="body2" paragraph>
        OpsHub encrypts every value and keeps none until its backend has a key.
        An administrator adds one to <code>opshub.encryption.keys</code> in the
        app config, as <code>{'[{ id, secret }]'}</code> where the secret is the
        base64 of 32 random bytes (<code>openssl rand -base64 32</code>).
      </Typography>
      <Typography variant="body2">
        The production config reads it from the{' '}
        <code>OPSHUB_ENCRYPTION_KEY_ID</code> and{' '}
        <code>OPSHUB_ENCRYPTION_KEY</code> environment variables; restart the
        backend once they are set. The rest of OpsHub works meanwhile.
      </Typography>
    </WarningPanel>
  );
}
