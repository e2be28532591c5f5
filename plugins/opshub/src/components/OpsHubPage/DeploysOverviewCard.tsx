import { Link, type TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type { OpsHubAnalyticsOverviewItem } from '@opshub/plugin-opshub-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { opshubApiRef } from '../../api/OpsHubApi';
import { isForbidden } from '../isForbidden';
import { formatSuccessRate } from '../shared/deployFormat';
import { DeployWindowPicker } from '../shared/DeployWindowPicker';
import {
  type DeployWindowChoice,
  windowOf,
  windowProblem,
} from '../shared/deployWindow';
import { TableCard } from '../shared/TableCard';
import { DoraRatingsCell } from '../shared/DoraRatingsCell';
import { useEntityTabLink } from '../shared/useEntityTabLink';

/** Entities per page of the overview. */
export const OVERVIEW_PAGE_SIZE = 20;

/**
 * The org overview of deploys: every entity the caller may read that
 * deployed in the picked window, most deploys first, with its counts,
 * success rate and DORA ratings, each linked to its Deploys tab; paged through the backend's
 * cursor. Hidden when the backend refuses the caller.
 */
export function DeploysOverviewCard(
  props: {
    /** The current time in ms (for tests); defaults to `Date.now`. */
    now?: () => number;
  } = {},
) {
  const api = useApi(opshubApiRef);
  const tabLink = useEntityTabLink();
  const now = (props.now ?? Date.now)();
  const [choice, setChoice] = useState<DeployWindowChoice>({ days: 30 });
  // The cursors of the pages before the current one's (none: the first).
  const [cursors, setCursors] = useState<string[]>([]);
  const window = windowOf(choice, now);
  const problem = windowProblem(window);
  const after = cursors.at(-1);

  const state = useAsync(
    async () =>
      problem
        ? undefined
        : api.getAnalyticsOverview({
            from: window.from,
            to: window.to,
            limit: OVERVIEW_PAGE_SIZE,
            ...(after !== undefined && { after }),
          }),
    [api, window.from, window.to, problem, after],
  );
  if (state.error && isForbidden(state.error)) return null;

  const columns: TableColumn<OpsHubAnalyticsOverviewItem>[] = [
    {
      title: 'Entity',
      render: item => (
        <Link to={tabLink(item.entityRef, 'deploys')}>{item.entityRef}</Link>
      ),
    },
    { title: 'Deploys', field: 'deploys', type: 'numeric' },
    { title: 'Succeeded', field: 'succeeded', type: 'numeric' },
    { title: 'Failed', field: 'failed', type: 'numeric' },
    {
      title: 'Success rate',
      type: 'numeric',
      render: item => formatSuccessRate(item.successRate),
    },
    {
      title: 'DORA ratings',
      render: item => <DoraRatingsCell ratings={item.dora} />,
    },
  ];
  const nextCursor = state.value?.nextCursor ?? null;

  return (
    <TableCard
      title="Deploys by entity"
      state={{ ...state, value: state.value?.items }}
      columns={columns}
      empty="No entity you may read deployed in this window."
      action={
        <DeployWindowPicker
          choice={choice}
          now={now}
          onChange={next => {
            setChoice(next);
            setCursors([]);
          }}
        />
      }
    >
      <Box display="flex" justifyContent="flex-end" p={1} style={{ gap: 8 }}>
        <Button
          size="small"
          disabled={cursors.length === 0 || state.loading}
          onClick={() => setCursors(cursors.slice(0, -1))}
        >
          Previous page
        </Button>
        <Button
          size="small"
          disabled={nextCursor === null || state.loading}
          onClick={() => setCursors([...cursors, nextCursor!])}
        >
          Next page
        </Button>
      </Box>
    </TableCard>
  );
}
