import type { Knex } from 'knex';
import { createHash } from 'node:crypto';

/**
 * The `provider_repository_checks` table: for each entity and provider, the
 * repository and annotations its provider project was last found linked
 * to the entity's repository with. A build asks the provider again only
 * when they changed.
 */
export class ProviderRepositoryChecks {
  constructor(private readonly knex: Knex) {}

  /** What a check is valid for: the repository and every annotation. */
  static fingerprint(
    repository: string,
    annotations: Record<string, string>,
  ): string {
    const sorted = Object.keys(annotations)
      .sort()
      .map(key => [key, annotations[key]]);
    return createHash('sha256')
      .update(JSON.stringify([repository.toLowerCase(), sorted]))
      .digest('hex');
  }

  async passed(
    entityRef: string,
    provider: string,
    fingerprint: string,
  ): Promise<boolean> {
    const row = await this.knex('provider_repository_checks')
      .where({ entity_ref: entityRef, provider, fingerprint })
      .first('checked_at');
    return row !== undefined;
  }

  async recordPassed(
    entityRef: string,
    provider: string,
    fingerprint: string,
  ): Promise<void> {
    const checked = { fingerprint, checked_at: new Date() };
    await this.knex('provider_repository_checks')
      .insert({ entity_ref: entityRef, provider, ...checked })
      .onConflict(['entity_ref', 'provider'])
      .merge(checked);
  }
}
