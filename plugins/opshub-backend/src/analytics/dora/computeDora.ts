import type { OpsHubDoraMetrics } from '@opshub/plugin-opshub-common';
import { deployWindow, utcDayOf } from '../metrics/deployWindow';
import { attributeIncidents } from './attributeIncidents';
import { medianDeployDays } from './deployDays';
import {
  rateChangeFailureRate,
  rateDeploymentFrequency,
  rateLeadTime,
  rateRecoveryTime,
} from './doraRatings';
import { lowerMedian } from './lowerMedian';
import type {
  AttributedDeploy,
  DoraInputs,
  DoraSummary,
  DoraWindow,
} from './types';

const HOUR_MS = 3_600_000;

/**
 * DORA's four keys over the window from its inputs (one entity, or a set
 * of them counted together; incidents still go to their own entity's
 * deploys). Medians are lower medians, as DevLake's dashboard takes them.
 */
export function computeDora(
  inputs: DoraInputs,
  window: DoraWindow,
): OpsHubDoraMetrics {
  return summarizeDora(summaryOfInputs(inputs, window), window);
}

/**
 * The window's deploys per entity and day, and each incident with the deploy
 * it is attributed to: what `loadDoraSummary` reads in SQL.
 */
export function summaryOfInputs(
  inputs: DoraInputs,
  window: DoraWindow,
): DoraSummary {
  const { startMs, endMs } = deployWindow(window.from, window.to);
  const days = new Map<string, DoraSummary['deployDays'][number]>();
  for (const d of inputs.deploys) {
    if (d.finishedAtMs < startMs || d.finishedAtMs >= endMs) continue;
    const day = utcDayOf(d.finishedAtMs);
    const key = `${d.entityRef} ${day}`;
    const row = days.get(key) ?? { entityRef: d.entityRef, day, deploys: 0 };
    row.deploys += 1;
    days.set(key, row);
  }
  const finishedAt = new Map(inputs.deploys.map(d => [d.id, d.finishedAtMs]));
  const deployOf = new Map<number, AttributedDeploy>();
  for (const [id, incidents] of attributeIncidents(
    inputs.deploys,
    inputs.incidents,
  )) {
    const deploy = { id, finishedAtMs: finishedAt.get(id)! };
    for (const i of incidents) deployOf.set(i.id, deploy);
  }
  return {
    deployDays: [...days.values()],
    incidents: inputs.incidents.map(i => ({
      ...i,
      deploy: deployOf.get(i.id) ?? null,
    })),
    changes: inputs.changes,
    githubCommitsReadable: inputs.githubCommitsReadable,
  };
}

/** DORA's four keys over the window from the database's summary. */
export function summarizeDora(
  summary: DoraSummary,
  window: DoraWindow,
): OpsHubDoraMetrics {
  const { startMs, endMs, days } = deployWindow(window.from, window.to);
  const deploys = summary.deployDays.reduce((n, d) => n + d.deploys, 0);
  // Incidents attributed to a deploy of the window.
  const ofWindow = summary.incidents.filter(
    i =>
      i.deploy !== null &&
      i.deploy.finishedAtMs >= startMs &&
      i.deploy.finishedAtMs < endMs,
  );
  return {
    deploymentFrequency: deploymentFrequency(
      deploys,
      new Set(summary.deployDays.map(d => d.day)),
      days,
    ),
    leadTimeForChanges: leadTimeForChanges(summary),
    changeFailureRate: changeFailureRate(
      deploys,
      new Set(ofWindow.map(i => i.deploy!.id)).size,
    ),
    recoveryTime: recoveryTime(ofWindow, endMs),
  };
}

function deploymentFrequency(
  deploys: number,
  deployDays: ReadonlySet<string>,
  windowDays: readonly string[],
): OpsHubDoraMetrics['deploymentFrequency'] {
  if (deploys === 0) {
    return {
      medianDeployDaysPerWeek: null,
      medianDeployDaysPerMonth: null,
      deploys: 0,
      rating: null,
      reason: 'no-deploys',
    };
  }
  const { perWeek, perMonth } = medianDeployDays(windowDays, deployDays);
  return {
    medianDeployDaysPerWeek: perWeek,
    medianDeployDaysPerMonth: perMonth,
    deploys,
    rating: rateDeploymentFrequency(perWeek, perMonth),
    reason: null,
  };
}

/**
 * First commit → first deploy; an author date after the deploy (a clock
 * that was wrong) counts as no time rather than a negative one.
 */
function leadTimeForChanges(
  inputs: Pick<DoraSummary, 'changes' | 'githubCommitsReadable'>,
): OpsHubDoraMetrics['leadTimeForChanges'] {
  const changes = inputs.changes.length;
  if (!inputs.githubCommitsReadable) {
    return unavailableLeadTime(changes, 'no-github-credentials');
  }
  const medianHours = lowerMedian(
    inputs.changes.map(c =>
      Math.max(0, (c.deployedAtMs - c.firstCommitAtMs) / HOUR_MS),
    ),
  );
  if (medianHours === null) {
    return unavailableLeadTime(0, 'no-deployed-changes');
  }
  return {
    medianHours,
    changes,
    rating: rateLeadTime(medianHours),
    reason: null,
  };
}

function unavailableLeadTime(
  changes: number,
  reason: 'no-github-credentials' | 'no-deployed-changes',
): OpsHubDoraMetrics['leadTimeForChanges'] {
  return { medianHours: null, changes, rating: null, reason };
}

function changeFailureRate(
  deploys: number,
  failedDeploys: number,
): OpsHubDoraMetrics['changeFailureRate'] {
  if (deploys === 0) {
    return {
      value: null,
      failedDeploys: 0,
      deploys: 0,
      rating: null,
      reason: 'no-deploys',
    };
  }
  const value = failedDeploys / deploys;
  return {
    value,
    failedDeploys,
    deploys,
    rating: rateChangeFailureRate(value),
    reason: null,
  };
}

/**
 * Incidents attributed to the window's deploys and closed within the
 * window, as DevLake's dashboard counts them (its incidents are filtered
 * by resolution date): closed − the deploy's finish.
 */
function recoveryTime(
  ofWindow: DoraSummary['incidents'],
  windowEndMs: number,
): OpsHubDoraMetrics['recoveryTime'] {
  const hours = ofWindow
    .filter(i => i.closedAtMs !== null && i.closedAtMs < windowEndMs)
    .map(i => (i.closedAtMs! - i.deploy!.finishedAtMs) / HOUR_MS);
  const medianHours = lowerMedian(hours);
  if (medianHours === null) {
    return {
      medianHours: null,
      incidents: 0,
      rating: null,
      reason: 'no-recovered-incidents',
    };
  }
  return {
    medianHours,
    incidents: hours.length,
    rating: rateRecoveryTime(medianHours),
    reason: null,
  };
}
