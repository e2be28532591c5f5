import { ConflictError } from '@backstage/errors';
import type { OpsHubRole } from '@opshub/plugin-opshub-common';
import type { Knex } from 'knex';
import { toDate } from '../database/timestamps';
import type {
  NewRoleAssignment,
  RoleAssignment,
  RoleAssignmentStore,
} from './RoleAssignmentStore';

type Row = {
  id: string | number;
  entity_ref: string;
  subject_ref: string;
  role: OpsHubRole;
  created_by: string;
  created_at: Date | string | number;
};

export class DatabaseRoleAssignmentStore implements RoleAssignmentStore {
  constructor(private readonly knex: Knex) {}

  async list(entityRef: string): Promise<RoleAssignment[]> {
    const rows: Row[] = await this.knex('role_assignments')
      .where('entity_ref', entityRef.toLocaleLowerCase('en-US'))
      .orderBy(['subject_ref', 'id']);
    return rows.map(toAssignment);
  }

  async onEntities(entityRefs: string[]): Promise<RoleAssignment[]> {
    if (entityRefs.length === 0) return [];
    const rows: Row[] = await this.knex('role_assignments').whereIn(
      'entity_ref',
      entityRefs.map(ref => ref.toLocaleLowerCase('en-US')),
    );
    return rows.map(toAssignment);
  }

  async add(assignment: NewRoleAssignment): Promise<RoleAssignment> {
    const row = {
      entity_ref: assignment.entityRef.toLocaleLowerCase('en-US'),
      subject_ref: assignment.subjectRef.toLocaleLowerCase('en-US'),
      role: assignment.role,
      created_by: assignment.createdBy,
      created_at: new Date(),
    };
    const [inserted] = await this.knex('role_assignments')
      .insert(row)
      .onConflict(['entity_ref', 'subject_ref'])
      .ignore()
      .returning('id');
    if (!inserted) {
      throw new ConflictError(
        `${row.subject_ref} already holds a role on ${row.entity_ref}`,
      );
    }
    return toAssignment({ ...row, id: inserted.id ?? inserted });
  }

  async remove(
    entityRef: string,
    id: string,
  ): Promise<RoleAssignment | undefined> {
    if (!/^\d+$/.test(id)) return undefined;
    const where = {
      id,
      entity_ref: entityRef.toLocaleLowerCase('en-US'),
    };
    return this.knex.transaction(async trx => {
      const row: Row | undefined = await trx('role_assignments')
        .where(where)
        .first();
      if (!row) return undefined;
      await trx('role_assignments').where(where).delete();
      return toAssignment(row);
    });
  }
}

function toAssignment(row: Row): RoleAssignment {
  return {
    id: String(row.id),
    entityRef: row.entity_ref,
    subjectRef: row.subject_ref,
    role: row.role,
    createdBy: row.created_by,
    createdAt: toDate(row.created_at),
  };
}
