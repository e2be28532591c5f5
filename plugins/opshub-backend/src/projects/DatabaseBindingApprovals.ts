import type { Knex } from 'knex';
import { toDate } from '../database/timestamps';
import type { BindingApproval } from './ProjectStore';

type ApprovalRow = {
  entity_ref: string;
  repo_slug: string;
  approved_by: string;
  approved_at: Date | string | number;
};

/**
 * Org owners' approvals of entities' repository bindings
 * (`binding_approvals`), one per entity. `DatabaseProjectStore` joins them
 * into the projects it reads; an approval counts only while the entity
 * still names the approved repository.
 */
export class DatabaseBindingApprovals {
  constructor(private readonly knex: Knex) {}

  /** Records (or replaces) the entity's approval of `repoSlug`. */
  async approve(
    entityRef: string,
    repoSlug: string,
    approvedBy: string,
  ): Promise<BindingApproval> {
    const approval: BindingApproval = {
      repoSlug: repoSlug.toLowerCase(),
      approvedBy,
      approvedAt: new Date(),
    };
    await this.knex('binding_approvals')
      .insert({
        entity_ref: entityRef,
        repo_slug: approval.repoSlug,
        approved_by: approval.approvedBy,
        approved_at: approval.approvedAt,
      })
      .onConflict('entity_ref')
      .merge(['repo_slug', 'approved_by', 'approved_at']);
    return approval;
  }

  /** Removes the entity's approval; the one removed, if there was one. */
  async revoke(entityRef: string): Promise<BindingApproval | undefined> {
    return this.knex.transaction(async trx => {
      const row: ApprovalRow | undefined = await trx('binding_approvals')
        .where('entity_ref', entityRef)
        .first();
      if (!row) return undefined;
      await trx('binding_approvals').where('entity_ref', entityRef).delete();
      return toApproval(row);
    });
  }

  async get(entityRef: string): Promise<BindingApproval | undefined> {
    const row: ApprovalRow | undefined = await this.knex('binding_approvals')
      .where('entity_ref', entityRef)
      .first();
    return row && toApproval(row);
  }
}

function toApproval(row: ApprovalRow): BindingApproval {
  return {
    repoSlug: row.repo_slug,
    approvedBy: row.approved_by,
    approvedAt: toDate(row.approved_at),
  };
}
