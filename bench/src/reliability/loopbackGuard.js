/*
 * The reliability run's connection guard, preloaded (`--require`) into the
 * bench and, through NODE_OPTIONS, into every Node process it starts. Before
 * any packet leaves, it refuses:
 * - a TCP or TLS connection to an address outside 127.0.0.0/8 and ::1 (a
 *   host name is let through only to a lookup that this guard checks, the
 *   caller's own `lookup` included: injected resolution stays possible);
 * - a name lookup (`dns.lookup`, `dns.resolve*`, resolvers) of any name but
 *   `localhost`, since the query itself would leave the machine;
 * - a UDP datagram to an address outside loopback.
 * Each refusal fails the caller's call with code `EOPSHUBGUARD` and is
 * recorded: in `violations()` in this process and, when
 * OPSHUB_LOOPBACK_GUARD_LOG names a file, as a line appended to it (how a
 * child's refusals reach the run). Plain CommonJS so it loads before any
 * transpiler.
 */
'use strict';

const dgram = require('node:dgram');
const dns = require('node:dns');
const fs = require('node:fs');
const net = require('node:net');

const GUARDED = Symbol.for('opshub.loopbackGuard');
const recorded = [];

function isLoopbackAddress(address) {
  const host = String(address).replace(/^\[|\]$/g, '');
  const version = net.isIP(host);
  if (version === 4) return host.startsWith('127.');
  if (version === 6) {
    const lower = host.toLowerCase();
    return (
      lower === '::1' ||
      lower === '0:0:0:0:0:0:0:1' ||
      /^::ffff:127\.\d+\.\d+\.\d+$/.test(lower)
    );
  }
  return false;
}

function refuse(what) {
  const line = `${new Date().toISOString()} pid ${process.pid}: ${what}`;
  recorded.push(line);
  if (process.env.OPSHUB_LOOPBACK_GUARD_LOG) {
    try {
      fs.appendFileSync(process.env.OPSHUB_LOOPBACK_GUARD_LOG, `${line}\n`);
    } catch {
      // The in-process record still holds it.
    }
  }
  const error = new Error(`loopback guard refused ${what}`);
  error.code = 'EOPSHUBGUARD';
  return error;
}

/** The addresses a lookup callback received, whatever its form. */
function addressesOf(address) {
  if (Array.isArray(address)) return address.map(a => a.address ?? a);
  return [address];
}

/** A lookup that fails unless every address it resolves is loopback. */
function guardedLookup(lookup, host) {
  return function lookupChecked(hostname, options, callback) {
    const done = typeof options === 'function' ? options : callback;
    const opts = typeof options === 'function' ? {} : options;
    lookup(hostname, opts, (error, address, family) => {
      if (error) return done(error);
      const outside = addressesOf(address).find(a => !isLoopbackAddress(a));
      if (outside !== undefined) {
        return done(refuse(`connection to ${host} (${outside})`));
      }
      return done(null, address, family);
    });
  };
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function connectGuarded(...args) {
  let options = args[0];
  // net.connect passes its normalized arguments: [options, callback].
  if (Array.isArray(options)) options = options[0];
  let host;
  if (options && typeof options === 'object') {
    if (options.path !== undefined) return connect.apply(this, args);
    host = options.host ?? 'localhost';
    if (!isLoopbackAddress(host) && host !== 'localhost') {
      if (net.isIP(host)) {
        const error = refuse(`connection to ${host}`);
        process.nextTick(() => this.destroy(error));
        return this;
      }
      options.lookup = guardedLookup(options.lookup ?? dns.lookup, host);
    }
  } else if (typeof options === 'string' && !/^\d+$/.test(options)) {
    return connect.apply(this, args); // a Unix socket path
  } else {
    host = typeof args[1] === 'string' ? args[1] : 'localhost';
    if (!isLoopbackAddress(host) && host !== 'localhost') {
      const error = refuse(`connection to ${host}`);
      process.nextTick(() => this.destroy(error));
      return this;
    }
  }
  return connect.apply(this, args);
};
net.Socket.prototype.connect[GUARDED] = true;

const allowedName = name => name === 'localhost' || isLoopbackAddress(name);

const lookup = dns.lookup;
dns.lookup = function lookupGuarded(hostname, options, callback) {
  if (!allowedName(hostname)) {
    const done = typeof options === 'function' ? options : callback;
    const error = refuse(`name lookup of ${hostname}`);
    process.nextTick(() => done(error));
    return {};
  }
  return lookup.apply(this, arguments);
};
const lookupPromise = dns.promises.lookup;
dns.promises.lookup = function lookupPromiseGuarded(hostname, ...rest) {
  if (!allowedName(hostname)) {
    return Promise.reject(refuse(`name lookup of ${hostname}`));
  }
  return lookupPromise.call(this, hostname, ...rest);
};

// Queries through c-ares always go to the configured name servers.
const RESOLVE = /^(resolve|reverse)/;
for (const target of [
  dns,
  dns.Resolver.prototype,
  dns.promises,
  dns.promises.Resolver.prototype,
]) {
  for (const name of Object.keys(target).concat(
    Object.getOwnPropertyNames(target),
  )) {
    if (!RESOLVE.test(name) || typeof target[name] !== 'function') continue;
    const promised =
      target === dns.promises || target === dns.promises.Resolver.prototype;
    target[name] = function resolveRefused(hostname, ...rest) {
      const error = refuse(`name query (${name}) of ${hostname}`);
      const done = rest.reverse().find(x => typeof x === 'function');
      if (done) return void process.nextTick(() => done(error));
      if (promised) return Promise.reject(error);
      throw error;
    };
  }
}

const send = dgram.Socket.prototype.send;
dgram.Socket.prototype.send = function sendGuarded(...args) {
  const address = args.find(
    (x, i) => i > 0 && typeof x === 'string' && net.isIP(x),
  );
  if (address && !isLoopbackAddress(address)) {
    throw refuse(`datagram to ${address}`);
  }
  return send.apply(this, args);
};
const dgramConnect = dgram.Socket.prototype.connect;
dgram.Socket.prototype.connect = function connectDatagramGuarded(
  port,
  address,
  ...rest
) {
  if (typeof address === 'string' && !allowedName(address)) {
    throw refuse(`datagram connection to ${address}`);
  }
  return dgramConnect.call(this, port, address, ...rest);
};

module.exports = {
  /** Whether this process's sockets go through the guard. */
  installed: () => net.Socket.prototype.connect[GUARDED] === true,
  isLoopbackAddress,
  /** The refusals recorded in this process. */
  violations: () => [...recorded],
};
