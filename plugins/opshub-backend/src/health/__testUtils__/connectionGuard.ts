import { constants } from 'node:os';

/** One TCP connect a test attempted. */
export interface ConnectionAttempt {
  address: string;
  port: number;
}

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

type TcpConnect = (req: unknown, address: string, port: number) => number;
interface TcpPrototype {
  connect: TcpConnect;
  connect6: TcpConnect;
}

let installed:
  | { users: number; restore: () => void; attempts: ConnectionAttempt[] }
  | undefined;
let violations: ConnectionAttempt[] = [];

/**
 * Node's TCP handle: every client connect (net, tls, undici, happy eyeballs
 * attempts) ends in its connect/connect6 with the address actually
 * connected to, after any name resolution.
 */
function tcpPrototype(): TcpPrototype {
  // No public hook sits this deep; process.binding still reaches it.
  const binding = (process as any).binding('tcp_wrap') as {
    TCP: { prototype: TcpPrototype };
  };
  return binding.TCP.prototype;
}

function install() {
  if (installed) {
    installed.users++;
    return;
  }
  const prototype = tcpPrototype();
  const original = { connect: prototype.connect, connect6: prototype.connect6 };
  const attempts: ConnectionAttempt[] = [];
  const guarded = (connect: TcpConnect): TcpConnect =>
    function guardedConnect(this: unknown, req, address, port) {
      attempts.push({ address, port });
      if (!LOOPBACK.has(address)) {
        violations.push({ address, port });
        // Refuse without a packet: Node reports it as ECONNREFUSED.
        return -constants.errno.ECONNREFUSED;
      }
      return connect.call(this, req, address, port);
    };
  prototype.connect = guarded(original.connect);
  prototype.connect6 = guarded(original.connect6);
  installed = {
    users: 1,
    attempts,
    restore: () => {
      prototype.connect = original.connect;
      prototype.connect6 = original.connect6;
    },
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
