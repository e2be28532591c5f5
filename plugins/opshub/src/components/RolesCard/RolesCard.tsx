import type { TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  OPSHUB_ROLES,
  type OpsHubRole,
  type OpsHubRoleAssignment,
} from '@opshub/plugin-opshub-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import IconButton from '@material-ui/core/IconButton';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import DeleteIcon from '@material-ui/icons/Delete';
import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { opshubApiRef, type OpsHubScope } from '../../api/OpsHubApi';
import { TableCard } from '../shared/TableCard';
import { useChange } from '../shared/useChange';

/**
 * Who holds which OpsHub role on a project or on the installation; with
 * `canManage`, a form to add an assignment and a remove button on each
 * (assignments from config excepted).
 *
 * @public
 */
export function RolesCard(props: {
  scope: OpsHubScope;
  canManage: boolean;
  title?: string;
}) {
  const { scope, canManage } = props;
  const api = useApi(opshubApiRef);
  const state = useAsyncRetry(
    () => api.listAssignments(scope),
    [api, JSON.stringify(scope)],
  );
  const change = useChange(state.retry);

  const columns: TableColumn<OpsHubRoleAssignment>[] = [
    { title: 'User or group', field: 'subjectRef' },
    { title: 'Role', field: 'role' },
    { title: 'Added by', field: 'createdBy' },
    {
      title: '',
      width: '48px',
      render: assignment =>
        canManage && !assignment.id.startsWith('config:') ? (
          <IconButton
            aria-label={`Remove ${assignment.subjectRef}`}
            size="small"
            onClick={() =>
              change(`Removed ${assignment.subjectRef}`, () =>
                api.removeAssignment(scope, assignment.id),
              )
            }
          >
            <DeleteIcon fontSize="small" />
          </IconButton>
        ) : null,
    },
  ];

  return (
    <TableCard
      title={props.title ?? 'Roles'}
      state={state}
      columns={columns}
      empty="No assignments yet: only the catalog owner's role."
    >
      {canManage ? (
        <AddAssignment
          onAdd={(subjectRef, role) =>
            change(`Added ${subjectRef} as ${role}`, () =>
              api.addAssignment(scope, { subjectRef, role }),
            )
          }
        />
      ) : null}
    </TableCard>
  );
}

function AddAssignment(props: {
  onAdd(subjectRef: string, role: OpsHubRole): Promise<void>;
}) {
  const [subjectRef, setSubjectRef] = useState('');
  const [role, setRole] = useState<OpsHubRole>('viewer');
  const [busy, setBusy] = useState(false);
  return (
    <Box
      component="form"
      display="flex"
      alignItems="center"
      p={2}
      style={{ gap: 16 }}
      onSubmit={async (event: { preventDefault(): void }) => {
        event.preventDefault();
        setBusy(true);
        await props.onAdd(subjectRef.trim(), role);
        setSubjectRef('');
        setBusy(false);
      }}
    >
      <TextField
        id="opshub-assignment-subject"
        label="User or group"
        placeholder="user:default/jane or group:default/web"
        value={subjectRef}
        onChange={e => setSubjectRef(e.target.value)}
        style={{ flex: 1 }}
      />
      <TextField
        id="opshub-assignment-role"
        select
        label="Role"
        value={role}
        onChange={e => setRole(e.target.value as OpsHubRole)}
        style={{ minWidth: 140 }}
      >
        {OPSHUB_ROLES.map(r => (
          <MenuItem key={r} value={r}>
            {r}
          </MenuItem>
        ))}
      </TextField>
      <Button
        type="submit"
        variant="contained"
        color="primary"
        disabled={busy || subjectRef.trim() === ''}
      >
        Add
      </Button>
    </Box>
  );
}
