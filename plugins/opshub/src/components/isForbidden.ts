/** The backend refused the caller (403): they hold no role that allows it. */
export function isForbidden(error: unknown): boolean {
  return (
    (error as { response?: { status?: number } } | undefined)?.response
      ?.status === 403
  );
}
