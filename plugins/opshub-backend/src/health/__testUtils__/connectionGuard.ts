import { constants } from 'node:os';
import { type ConnectionAttempt, interceptTcpConnects } from './tcpConnects';

export type { ConnectionAttempt };

export interface ConnectionGuard {
  /** Every TCP connect (to any address) since the current test began. */
  readonly attempts: readonly ConnectionAttempt[];
  /**
   * Hands over the refused attempts so far, which then no longer fail the
   * test (for tests of the guard itself).
   */
  takeViolations(): ConnectionAttempt[];
}

const LOOPBACK = new Set(['127.0.0.1', '::1']);

let installed:
  | { users: number; restore: () => void; attempts: ConnectionAttempt[] }
  | undefined;
let violations: ConnectionAttempt[] = [];

function install() {
  if (installed) {
    installed.users++;
    return;
  }
  const attempts: ConnectionAttempt[] = [];
  const restore = interceptTcpConnects(attempt => {
    attempts.push(attempt);
    if (LOOPBACK.has(attempt.address)) return undefined;
    violations.push(attempt);
    // Refuse without a packet: Node reports it as ECONNREFUSED.
    return -constants.errno.ECONNREFUSED;
  });
  installed = {
    users: 1,
    attempts,
    restore,
  };
}

function uninstall() {
  if (installed && --installed.users === 0) {
    installed.restore();
    installed = undefined;
  }
}

/**
 * Guards the tests of the calling file or describe block against network
 * traffic outside loopback: every TCP connect is recorded, one to any
 * address but 127.0.0.1 or ::1 is refused before a packet leaves and fails
 * the test. Health tests call it at the top of their file.
 */
export function useConnectionGuard(): ConnectionGuard {
  beforeAll(install);
  afterAll(uninstall);
  beforeEach(() => {
    installed?.attempts.splice(0);
    violations = [];
  });
  afterEach(() => {
    const seen = violations;
    violations = [];
    if (seen.length > 0) {
      throw new Error(
        `connection guard: connects outside loopback were attempted: ${seen
          .map(a => `${a.address}:${a.port}`)
          .join(', ')}`,
      );
    }
  });
  return {
    get attempts() {
      return installed?.attempts ?? [];
    },
    takeViolations() {
      const seen = violations;
      violations = [];
      return seen;
    },
  };
}
