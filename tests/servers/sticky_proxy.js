#!/usr/bin/env node
// A cookie-based sticky-session load balancer in front of one or more
// upstreams, as HAProxy/nginx setups for socket.io do: the first request of a
// client (no cookie) goes to the next upstream in turn and gets
// "Set-Cookie: SERVERID=<random>"; every later request (polling GETs and
// POSTs, the WebSocket upgrade) must carry that cookie and goes to the same
// upstream, else 503 - a balancer without the cookie would send it to another
// server, which does not know the session.
//
//   node tests/servers/sticky_proxy.js PORT UPSTREAM_PORT[,UPSTREAM_PORT...] [--refuse-upgrade]
//   prints "PORT <n>"; stderr logs one line per refused request.
//   --refuse-upgrade: every WebSocket upgrade gets 503 (a proxy without
//   WebSocket support), logged as "upgrade refused (by option)".
'use strict';

const http = require('http');
const net = require('net');
const crypto = require('crypto');

const port = parseInt(process.argv[2] || '0', 10);
const upstreams = String(process.argv[3]).split(',').map((p) => parseInt(p, 10));
const issued = new Map();              // cookie value -> upstream port
let refused = 0, turn = 0;

function routeCookie(req) {
  const m = /(?:^|;\s*)SERVERID=([A-Za-z0-9]+)/.exec(req.headers.cookie || '');
  return m ? m[1] : null;
}

// A request with a sid belongs to an existing session: it needs the cookie.
function allowed(req) {
  const hasSid = /[?&]sid=/.test(req.url);
  const cookie = routeCookie(req);
  if (!hasSid) return true;
  return cookie !== null && issued.has(cookie);
}

// The upstream of the client's cookie, or the next one in turn (and a new cookie).
function route(req) {
  const cookie = routeCookie(req);
  if (cookie !== null && issued.has(cookie)) return { port: issued.get(cookie), set: null };
  const port = upstreams[turn++ % upstreams.length];
  const id = crypto.randomBytes(6).toString('hex');
  issued.set(id, port);
  return { port, set: `SERVERID=${id}; Path=/; HttpOnly` };
}

const server = http.createServer((req, res) => {
  if (!allowed(req)) {
    refused++;
    process.stderr.write(`refused ${req.method} ${req.url} cookie=${req.headers.cookie || '-'}\n`);
    res.writeHead(503, { 'Content-Type': 'text/plain' });
    res.end('no route to the session (sticky cookie missing)');
    return;
  }
  const headers = Object.assign({}, req.headers);
  const r = route(req);
  const up = http.request({ host: '127.0.0.1', port: r.port, method: req.method, path: req.url, headers }, (ur) => {
    const out = Object.assign({}, ur.headers);
    if (r.set) out['set-cookie'] = [].concat(out['set-cookie'] || [], r.set);
    res.writeHead(ur.statusCode, out);
    ur.pipe(res);
  });
  up.on('error', () => { res.writeHead(502); res.end(); });
  req.pipe(up);
});

// WebSocket upgrades are piped through once the cookie checks out.
server.on('upgrade', (req, socket, head) => {
  if (process.argv.includes('--refuse-upgrade')) {
    process.stderr.write('upgrade refused (by option)\n');
    socket.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n');
    return;
  }
  if (!allowed(req)) {
    refused++;
    process.stderr.write(`refused upgrade ${req.url}\n`);
    socket.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n');
    return;
  }
  const up = net.connect(route(req).port, '127.0.0.1', () => {
    let raw = `${req.method} ${req.url} HTTP/1.1\r\n`;
    for (let i = 0; i < req.rawHeaders.length; i += 2) raw += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`;
    up.write(raw + '\r\n');
    if (head && head.length) up.write(head);
    up.pipe(socket);
    socket.pipe(up);
  });
  up.on('error', () => socket.destroy());
  socket.on('error', () => up.destroy());
});

server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`PORT ${server.address().port}\n`);
});
