import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
  Table,
  type TableColumn,
} from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import type { ReactNode } from 'react';

/**
 * A card holding one table of what the backend returned: progress while it
 * loads (the first time), the error if it failed, `empty` for no rows.
 */
export function TableCard<T extends object>(props: {
  title: string;
  state: { loading: boolean; error?: Error; value?: T[] };
  columns: TableColumn<T>[];
  empty: string;
  /** Shown in the card's header, such as a filter. */
  action?: ReactNode;
  children?: ReactNode;
}) {
  const { loading, error, value } = props.state;
  return (
    <InfoCard title={props.title} action={props.action} noPadding>
      {loading && !value ? <Progress /> : null}
      {error ? <ResponseErrorPanel error={error} /> : null}
      {value ? (
        <Table
          options={{ paging: false, search: false, toolbar: false }}
          columns={props.columns}
          data={value}
          emptyContent={<Box p={2}>{props.empty}</Box>}
        />
      ) : null}
      {props.children}
    </InfoCard>
  );
}
