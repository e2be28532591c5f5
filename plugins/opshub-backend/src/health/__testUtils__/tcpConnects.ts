/** One TCP connect attempted in this process. */
export interface ConnectionAttempt {
  address: string;
  port: number;
}

type TcpConnect = (req: unknown, address: string, port: number) => number;
interface TcpPrototype {
  connect: TcpConnect;
  connect6: TcpConnect;
}

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

/**
 * Calls `onConnect` with every TCP connect this process attempts, before
 * any packet: a number it returns (a negative errno) refuses the connect
 * instead. Returns the function that removes the interception. Used by the
 * health tests' connection guard and by the reliability bench (R5), which
 * counts what a refused probe would have connected to.
 */
export function interceptTcpConnects(
  onConnect: (attempt: ConnectionAttempt) => number | undefined,
): () => void {
  const prototype = tcpPrototype();
  const original = { connect: prototype.connect, connect6: prototype.connect6 };
  const intercepted = (connect: TcpConnect): TcpConnect =>
    function interceptedConnect(this: unknown, req, address, port) {
      const refusal = onConnect({ address, port });
      if (refusal !== undefined) return refusal;
      return connect.call(this, req, address, port);
    };
  prototype.connect = intercepted(original.connect);
  prototype.connect6 = intercepted(original.connect6);
  return () => {
    prototype.connect = original.connect;
    prototype.connect6 = original.connect6;
  };
}
