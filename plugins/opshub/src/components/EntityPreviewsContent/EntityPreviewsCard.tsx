import { InfoCard, Link, Progress } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import { isOpenPreviewState } from '@opshub/plugin-opshub-common';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import { PreviewStateChip } from './PreviewStateChip';
import { usePreviews } from './usePreviews';

const SHOWN = 5;

/**
 * A small card for a Component's overview: its live previews, newest first,
 * with their state and link.
 *
 * @public
 */
export function EntityPreviewsCard() {
  const { entity } = useEntity();
  const { value, loading, error } = usePreviews(entity);
  const live = (value?.previews ?? []).filter(p => isOpenPreviewState(p.state));
  return (
    <InfoCard title="Previews">
      {loading && !value ? <Progress /> : null}
      {error ? (
        <Typography color="textSecondary">
          Previews are not available.
        </Typography>
      ) : null}
      {value && live.length === 0 ? (
        <Typography color="textSecondary">No live previews.</Typography>
      ) : null}
      <List dense disablePadding>
        {live.slice(0, SHOWN).map(p => (
          <ListItem key={p.id} disableGutters>
            <ListItemText
              primary={
                p.url && p.state === 'ready' ? (
                  <Link to={p.url}>
                    #{p.prNumber} {p.title}
                  </Link>
                ) : (
                  `#${p.prNumber} ${p.title}`
                )
              }
            />
            <PreviewStateChip state={p.state} />
          </ListItem>
        ))}
      </List>
      {live.length > SHOWN ? (
        <Typography variant="caption">
          and {live.length - SHOWN} more on the Previews tab
        </Typography>
      ) : null}
    </InfoCard>
  );
}
