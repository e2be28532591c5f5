import { connect } from 'node:net';
import { fetch } from 'undici';
import { useConnectionGuard } from './connectionGuard';
import { startLoopbackServer } from './loopbackServers';

const guard = useConnectionGuard();

function attempt(host: string, port: number): Promise<string> {
  return new Promise(resolve => {
    const socket = connect({ host, port });
    socket.on('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.on('error', error =>
      resolve((error as NodeJS.ErrnoException).code!),
    );
  });
}

describe('useConnectionGuard', () => {
  it('records connects to 127.0.0.1 and lets them through', async () => {
    const server = await startLoopbackServer((_req, res) => res.end('ok'));
    try {
      expect(await attempt('127.0.0.1', server.port)).toBe('connected');
      expect(await (await fetch(`${server.origin}/`)).text()).toBe('ok');
      expect(guard.attempts).toEqual([
        { address: '127.0.0.1', port: server.port },
        { address: '127.0.0.1', port: server.port },
      ]);
    } finally {
      await server.close();
    }
  });

  it('refuses any other address before a packet leaves, and reports it', async () => {
    // 127.0.0.2 is loopback too, so even a broken guard sends nothing
    // off this host; the guard still allows only 127.0.0.1 and ::1.
    expect(await attempt('127.0.0.2', 9)).toBe('ECONNREFUSED');
    expect(guard.takeViolations()).toEqual([{ address: '127.0.0.2', port: 9 }]);
    expect(guard.attempts).toEqual([{ address: '127.0.0.2', port: 9 }]);
  });

  it('sees the address a name resolved to', async () => {
    const socket = connect({
      host: 'elsewhere.test',
      port: 9,
      lookup: (_host, options, callback) =>
        options.all
          ? callback(null, [{ address: '127.0.0.3', family: 4 }])
          : callback(null, '127.0.0.3', 4),
    });
    await new Promise(resolve => socket.on('error', resolve));
    expect(guard.takeViolations()).toEqual([{ address: '127.0.0.3', port: 9 }]);
  });
});
