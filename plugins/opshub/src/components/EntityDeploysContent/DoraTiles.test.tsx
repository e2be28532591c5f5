import { renderInTestApp } from '@backstage/frontend-test-utils';
import type { OpsHubDoraMetrics } from '@opshub/plugin-opshub-common';
import { act, fireEvent, screen, within } from '@testing-library/react';
import { noDoraMetrics } from '../../__testUtils__/dora';
import { DoraTiles } from './DoraTiles';

const rated: OpsHubDoraMetrics = {
  deploymentFrequency: {
    medianDeployDaysPerWeek: 3.5,
    medianDeployDaysPerMonth: 14,
    deploys: 22,
    rating: 'high',
    reason: null,
  },
  leadTimeForChanges: {
    medianHours: 30,
    changes: 9,
    rating: 'high',
    reason: null,
  },
  changeFailureRate: {
    value: 0.1,
    failedDeploys: 2,
    deploys: 20,
    rating: 'high',
    reason: null,
  },
  recoveryTime: {
    medianHours: 0.5,
    incidents: 1,
    rating: 'elite',
    reason: null,
  },
};

const tile = (name: string) => within(screen.getByRole('group', { name }));

jest.setTimeout(30_000);
describe('DoraTiles', () => {
  it('shows each key with its value, counts and rating', async () => {
    await renderInTestApp(<DoraTiles dora={rated} />);

    const frequency = tile('Deployment frequency');
    expect(frequency.getByText('3.5 deploy days / week')).toBeInTheDocument();
    expect(
      frequency.getByText('14 deploy days / month · 22 deploys'),
    ).toBeInTheDocument();
    expect(frequency.getByText('high')).toBeInTheDocument();

    const leadTime = tile('Lead time for changes');
    expect(leadTime.getByText('1.3 days')).toBeInTheDocument();
    expect(leadTime.getByText('9 changes deployed')).toBeInTheDocument();
    expect(leadTime.getByText('high')).toBeInTheDocument();

    const failureRate = tile('Change failure rate');
    expect(failureRate.getByText('10%')).toBeInTheDocument();
    expect(failureRate.getByText('2 failed of 20 deploys')).toBeInTheDocument();
    expect(failureRate.getByText('high')).toBeInTheDocument();

    const recovery = tile('Failed deployment recovery time');
    expect(recovery.getByText('30 min')).toBeInTheDocument();
    expect(recovery.getByText('1 recovered incident')).toBeInTheDocument();
    expect(recovery.getByText('elite')).toBeInTheDocument();

    expect(
      screen.getByText(
        'Production deploys only, whatever the environment picked.',
      ),
    ).toBeInTheDocument();
  });

  it('says in words why a key has no value, without a rating', async () => {
    await renderInTestApp(
      <DoraTiles
        dora={{
          ...noDoraMetrics,
          leadTimeForChanges: {
            ...noDoraMetrics.leadTimeForChanges,
            reason: 'no-github-credentials',
          },
        }}
      />,
    );

    const reasons = {
      'Deployment frequency': 'No successful production deploy in this range',
      'Lead time for changes':
        'Needs GitHub credentials (integrations.github) to read commits',
      'Change failure rate': 'No successful production deploy in this range',
      'Failed deployment recovery time':
        'No recovered incident attributed to a deploy',
    };
    for (const [name, reason] of Object.entries(reasons)) {
      expect(tile(name).getByText('—')).toBeInTheDocument();
      expect(tile(name).getByText(reason)).toBeInTheDocument();
      expect(tile(name).queryByText(/^(elite|high|medium|low)$/)).toBeNull();
    }
  });

  it('says no pull request reached production when none did', async () => {
    await renderInTestApp(
      <DoraTiles
        dora={{
          ...rated,
          leadTimeForChanges: {
            medianHours: null,
            changes: 0,
            rating: null,
            reason: 'no-deployed-changes',
          },
        }}
      />,
    );

    expect(
      tile('Lead time for changes').getByText(
        'No merged pull request reached production in this range',
      ),
    ).toBeInTheDocument();
  });

  it('defines each key, with its thresholds, in a tooltip reached by keyboard or hover', async () => {
    await renderInTestApp(<DoraTiles dora={rated} />);

    // Keyboard users reach the tooltip by tabbing to the info button.
    fireEvent.keyDown(document.body, { key: 'Tab' });
    act(() =>
      screen
        .getByRole('button', { name: 'About deployment frequency' })
        .focus(),
    );
    expect(await screen.findByRole('tooltip')).toHaveTextContent(
      'Median, over the weeks of the range, of the days with at least one successful production deploy. Rated by DORA 2023 thresholds as Apache DevLake rates them: elite ≥ 5 days a week, high ≥ 1 day a week, medium ≥ 1 day a month, else low.',
    );

    fireEvent.mouseOver(
      screen.getByRole('button', { name: 'About lead time for changes' }),
    );
    expect(
      await screen.findByText(/elite < 1 day, high < 7 days, medium < 30 days/),
    ).toBeInTheDocument();

    fireEvent.mouseOver(
      screen.getByRole('button', { name: 'About change failure rate' }),
    );
    expect(
      await screen.findByText(/elite ≤ 5%, high ≤ 10%, medium ≤ 15%, else low/),
    ).toBeInTheDocument();

    fireEvent.mouseOver(
      screen.getByRole('button', {
        name: 'About failed deployment recovery time',
      }),
    );
    expect(
      await screen.findByText(/elite < 1 h, high < 1 day, medium < 7 days/),
    ).toBeInTheDocument();
  });
});
