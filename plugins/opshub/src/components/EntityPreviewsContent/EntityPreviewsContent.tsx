import {
  Link,
  type TableColumn,
  WarningPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  isOpenPreviewState,
  OPSHUB_ANNOTATIONS,
  type OpsHubPreview,
} from '@opshub/plugin-opshub-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import { opshubApiRef } from '../../api/OpsHubApi';
import { isForbidden } from '../isForbidden';
import { TableCard } from '../shared/TableCard';
import { useChange } from '../shared/useChange';
import { PreviewHealthCell } from './PreviewHealthCell';
import { PreviewStateChip } from './PreviewStateChip';
import { usePreviewHealth } from './usePreviewHealth';
import { usePreviews } from './usePreviews';

/** A URL's host to show, or the URL itself when it does not parse. */
const hostOf = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
};

const ago = (iso: string) => {
  const minutes = Math.round((Date.now() - Date.parse(iso)) / 60_000);
  if (minutes < 60) return `${minutes} min ago`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)} h ago`;
  return `${Math.round(minutes / 1440)} days ago`;
};

/**
 * How many environment variables a preview was built with and when they
 * were pushed; blank when none were ever pushed (a fork's PR, a provider
 * that takes none).
 */
const EnvVarsCell = ({ preview: p }: { preview: OpsHubPreview }) => {
  if (p.envVarCount === null) return null;
  if (p.envVarCount === 0 || !p.envPushedAt) {
    return <Typography variant="body2">none</Typography>;
  }
  return (
    <>
      <Typography variant="body2">
        {p.envVarCount} {p.envVarCount === 1 ? 'variable' : 'variables'}
      </Typography>
      <Typography variant="caption" color="textSecondary">
        pushed {ago(p.envPushedAt)}
      </Typography>
    </>
  );
};

/**
 * The Previews tab of a Component: every pull request's preview with its
 * state, link, health (OpsHub's check of a ready preview's URL), the
 * environment variables it was built with, age and expiry; redeploy,
 * approve (fork PRs) and destroy for those allowed. Updates live through
 * Backstage signals.
 *
 * @public
 */
export function EntityPreviewsContent() {
  const { entity } = useEntity();
  const api = useApi(opshubApiRef);
  const state = usePreviews(entity);
  const change = useChange(state.retry);
  const [destroying, setDestroying] = useState<OpsHubPreview>();
  const can = (permission: string) =>
    state.value?.permissions[permission] === true;
  const health = usePreviewHealth(entity, can('opshub.health.read'));

  if (state.error && isForbidden(state.error)) {
    return (
      <WarningPanel title="You hold no OpsHub role on this project">
        Ask one of its owners for a role to see its previews.
      </WarningPanel>
    );
  }

  const columns: TableColumn<OpsHubPreview>[] = [
    {
      title: 'Pull request',
      render: p => (
        <>
          <Typography variant="body2">
            #{p.prNumber} {p.title}
          </Typography>
          <Typography variant="caption" color="textSecondary">
            {p.branch} · {p.headSha.slice(0, 7)} · {p.author}
          </Typography>
        </>
      ),
    },
    { title: 'State', render: p => <PreviewStateChip state={p.state} /> },
    {
      title: 'Preview',
      render: p =>
        p.url && p.state === 'ready' ? (
          <Link to={p.url}>{hostOf(p.url)}</Link>
        ) : (
          p.errorMessage ?? ''
        ),
    },
    {
      title: 'Health',
      render: p => (
        <PreviewHealthCell prNumber={p.prNumber} check={health.get(p.id)} />
      ),
    },
    { title: 'Variables', render: p => <EnvVarsCell preview={p} /> },
    { title: 'Updated', render: p => ago(p.updatedAt) },
    {
      title: 'Expires',
      render: p =>
        isOpenPreviewState(p.state)
          ? new Date(p.expiresAt).toLocaleDateString()
          : '',
    },
    {
      title: '',
      render: p => (
        <Box display="flex" style={{ gap: 8 }}>
          {p.state === 'awaiting-approval' && can('opshub.preview.approve') ? (
            <Button
              size="small"
              color="primary"
              aria-label={`Approve #${p.prNumber}`}
              onClick={() =>
                change(`Approved #${p.prNumber}`, () =>
                  api.changePreview(p.id, 'approve'),
                )
              }
            >
              Approve
            </Button>
          ) : null}
          {['ready', 'failed', 'destroyed', 'expired'].includes(p.state) &&
          can('opshub.preview.manage') ? (
            <Button
              size="small"
              aria-label={`Redeploy #${p.prNumber}`}
              onClick={() =>
                change(`Redeploying #${p.prNumber}`, () =>
                  api.changePreview(p.id, 'redeploy'),
                )
              }
            >
              Redeploy
            </Button>
          ) : null}
          {isOpenPreviewState(p.state) && can('opshub.preview.manage') ? (
            <Button
              size="small"
              aria-label={`Destroy #${p.prNumber}`}
              onClick={() => setDestroying(p)}
            >
              Destroy
            </Button>
          ) : null}
        </Box>
      ),
    },
  ];

  return (
    <>
      <TableCard
        title="Previews"
        state={{ ...state, value: state.value?.previews }}
        columns={columns}
        empty={`No previews yet. Pull requests of this repository get one once the entity names a provider (${OPSHUB_ANNOTATIONS.previewProvider}: vercel, netlify or mock) and GitHub sends its webhooks to OpsHub (see OpsHub's README).`}
      />
      <Dialog open={!!destroying} onClose={() => setDestroying(undefined)}>
        <DialogTitle>
          Destroy the preview of #{destroying?.prNumber}?
        </DialogTitle>
        <DialogContent>
          The provider's deploy is removed; a redeploy builds it again.
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setDestroying(undefined)}>Cancel</Button>
          <Button
            color="secondary"
            onClick={() => {
              const preview = destroying!;
              setDestroying(undefined);
              change(`Destroying #${preview.prNumber}`, () =>
                api.changePreview(preview.id, 'destroy'),
              );
            }}
          >
            Destroy
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
}
