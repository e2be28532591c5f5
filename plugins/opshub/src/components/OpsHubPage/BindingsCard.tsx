import { Link, type TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import type { OpsHubBinding } from '@opshub/plugin-opshub-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import Switch from '@material-ui/core/Switch';
import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { opshubApiRef } from '../../api/OpsHubApi';
import { describeVerification } from '../shared/bindingStatus';
import { TableCard } from '../shared/TableCard';
import { useChange } from '../shared/useChange';

type Confirming = { action: 'approve' | 'revoke'; binding: OpsHubBinding };

/**
 * Entities' repository bindings: the unverified ones (which get no previews
 * and have nothing written to their repository) to approve, and with "Show
 * verified" all of them, an org owner's approvals to revoke.
 */
export function BindingsCard() {
  const api = useApi(opshubApiRef);
  const [showVerified, setShowVerified] = useState(false);
  const state = useAsyncRetry(
    () => api.getBindings(showVerified ? {} : { verified: false }),
    [api, showVerified],
  );
  const change = useChange(state.retry);
  // What the dialog asks about stays while it closes (fades out).
  const [confirming, setConfirming] = useState<Confirming>();
  const [asking, setAsking] = useState(false);
  const ask = (question: Confirming) => {
    setConfirming(question);
    setAsking(true);
  };

  const columns: TableColumn<OpsHubBinding>[] = [
    {
      title: 'Entity',
      render: b => (
        <EntityRefLink entityRef={b.entityRef}>{b.entityRef}</EntityRefLink>
      ),
    },
    {
      title: 'Repository',
      render: b => (
        <Link to={`https://github.com/${b.repository}`}>{b.repository}</Link>
      ),
    },
    {
      title: 'Status',
      render: b =>
        b.verified ? describeVerification(b) : b.problem ?? 'not verified',
    },
    {
      title: '',
      render: b => (
        <Box display="flex" style={{ gap: 8 }}>
          {b.verified ? null : (
            <Button
              size="small"
              variant="outlined"
              color="primary"
              aria-label={`Approve ${b.entityRef}`}
              onClick={() => ask({ action: 'approve', binding: b })}
            >
              Approve
            </Button>
          )}
          {b.approvedBy ? (
            <Button
              size="small"
              variant="outlined"
              aria-label={`Revoke ${b.entityRef}`}
              onClick={() => ask({ action: 'revoke', binding: b })}
            >
              Revoke
            </Button>
          ) : null}
        </Box>
      ),
    },
  ];

  const confirm = () => {
    const { action, binding } = confirming!;
    setAsking(false);
    if (action === 'approve') {
      change(`Approved ${binding.entityRef} on ${binding.repository}`, () =>
        api.approveBinding(binding.entityRef, binding.repository),
      );
    } else {
      change(`Revoked the approval of ${binding.entityRef}`, () =>
        api.revokeBinding(binding.entityRef),
      );
    }
  };

  return (
    <>
      <TableCard
        title="Repository bindings"
        state={state}
        columns={columns}
        empty={
          showVerified
            ? 'No entity names a repository yet.'
            : "Every entity's repository binding is verified."
        }
        action={
          <FormControlLabel
            label="Show verified"
            control={
              <Switch
                checked={showVerified}
                onChange={e => setShowVerified(e.target.checked)}
              />
            }
          />
        }
      />
      <Dialog open={asking} onClose={() => setAsking(false)}>
        {confirming?.action === 'approve' ? (
          <>
            <DialogTitle>
              Approve {confirming.binding.entityRef} on{' '}
              {confirming.binding.repository}?
            </DialogTitle>
            <DialogContent>
              <DialogContentText>
                OpsHub will trust that this entity belongs to the GitHub
                repository {confirming.binding.repository}: the entity will act
                on it. Its pull requests get previews, and OpsHub writes to the
                repository (comments, statuses) for this entity. Approve only if
                the entity really is that repository's.
              </DialogContentText>
            </DialogContent>
          </>
        ) : null}
        {confirming?.action === 'revoke' ? (
          <>
            <DialogTitle>
              Revoke the approval of {confirming.binding.entityRef}?
            </DialogTitle>
            <DialogContent>
              <DialogContentText>
                Unless its catalog location or the app config verifies it, the
                entity's binding to {confirming.binding.repository} is no longer
                verified: no new previews, and OpsHub writes nothing more to the
                repository for it.
              </DialogContentText>
            </DialogContent>
          </>
        ) : null}
        <DialogActions>
          <Button onClick={() => setAsking(false)}>Cancel</Button>
          <Button color="secondary" onClick={confirm}>
            {confirming?.action === 'revoke' ? 'Revoke' : 'Approve'}
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
}
