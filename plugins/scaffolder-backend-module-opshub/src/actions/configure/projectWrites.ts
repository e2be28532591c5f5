import type {
  OpsHubEntityHealth,
  OpsHubRoleAssignment,
} from '@opshub/plugin-opshub-common';
import {
  entityPath,
  isStatus,
  type OpsHubRoutesClient,
} from '../../opshub/OpsHubRoutesClient';
import type { ConfigureInput } from './configureInput';

type Item<K extends 'roles' | 'variables' | 'healthChecks'> = NonNullable<
  ConfigureInput[K]
>[number];

/** What a write found: it made the change, or the change was there already. */
export type WriteOutcome = 'done' | 'already';

/**
 * Adds the assignment; one OpsHub already has (409, the same role) is
 * done, the subject holding another role fails with OpsHub's message.
 */
export async function assignRole(
  opshub: OpsHubRoutesClient,
  entityRef: string,
  { subject, role }: Item<'roles'>,
): Promise<WriteOutcome> {
  const path = `${entityPath(entityRef)}/assignments`;
  try {
    await opshub.request('POST', path, { subjectRef: subject, role });
    return 'done';
  } catch (error) {
    if (!isStatus(error, 409)) throw error;
    const { items } = await opshub.request<{ items: OpsHubRoleAssignment[] }>(
      'GET',
      path,
    );
    const held = items.find(
      a => a.subjectRef.toLowerCase() === subject.toLowerCase(),
    );
    if (held?.role === role) return 'already';
    throw error;
  }
}

/** Writes the variable; OpsHub answers an unchanged value with 200 too. */
export async function writeVariable(
  opshub: OpsHubRoutesClient,
  entityRef: string,
  { environment, name, value, sensitive }: Item<'variables'>,
): Promise<WriteOutcome> {
  const path = `${entityPath(entityRef)}/envvars/${encodeURIComponent(
    environment,
  )}/${encodeURIComponent(name)}`;
  // Seeded from template secrets: sensitive unless the template says not.
  await opshub.request('PUT', path, { value, sensitive: sensitive ?? true });
  return 'done';
}

/**
 * Creates the check; a name OpsHub already has (409) is done when that
 * check probes the same URL, else it fails with OpsHub's message.
 */
export async function createHealthCheck(
  opshub: OpsHubRoutesClient,
  entityRef: string,
  check: Item<'healthChecks'>,
): Promise<WriteOutcome> {
  const { intervalSeconds, ...definition } = check;
  const base = `${entityPath(entityRef)}/health`;
  try {
    await opshub.request('POST', `${base}/checks`, {
      ...definition,
      ...(intervalSeconds !== undefined && {
        intervalMs: intervalSeconds * 1000,
      }),
    });
    return 'done';
  } catch (error) {
    if (!isStatus(error, 409)) throw error;
    const { checks } = await opshub.request<OpsHubEntityHealth>('GET', base);
    const taken = checks.find(c => c.name === check.name);
    if (taken?.url === check.url) return 'already';
    throw error;
  }
}

/** Approves the project's current repository binding (an org owner's act). */
export async function approveBinding(
  opshub: OpsHubRoutesClient,
  entityRef: string,
): Promise<WriteOutcome> {
  await opshub.request('PUT', entityPath(entityRef, '/org/bindings'), {});
  return 'done';
}
