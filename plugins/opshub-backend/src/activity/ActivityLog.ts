/** One line of a project's activity log: who did what, when. */
export interface ActivityEntry {
  id: string;
  /** The project's entity ref, or `OPSHUB_INSTALLATION_REF` (org level). */
  entityRef: string;
  actorRef: string;
  /** The audit event id, e.g. `role-assignment-add`. */
  action: string;
  /** What the action changed: refs, roles, ids; never a secret value. */
  details: Record<string, string | number | boolean | null>;
  createdAt: Date;
}

export type NewActivityEntry = Omit<ActivityEntry, 'id' | 'createdAt'>;

/** The per-project activity log. */
export interface ActivityLog {
  record(entry: NewActivityEntry): Promise<void>;
  /** Newest first; `beforeId` pages back. */
  list(
    entityRef: string,
    options: { limit: number; beforeId?: string },
  ): Promise<ActivityEntry[]>;
}
