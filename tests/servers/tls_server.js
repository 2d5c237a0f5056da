#!/usr/bin/env node
// TLS peers for sio's TLS integration tests (tests/integration_tls.py), built
// on Node's `https` plus the repo's pinned `ws` and `socket.io` (`npm ci` first).
//
//   node tests/servers/tls_server.js CERTDIR        (CERTDIR from tests/make_certs.sh)
//
// Starts one HTTPS server per certificate variant, each on its own free port
// on 127.0.0.1, and prints one line per variant, then "READY":
//   PORT server    <n>   server.pem (CA ca.pem; SAN localhost, 127.0.0.1)
//   PORT wrongname <n>   wrongname.pem (SAN other.example only)
//   PORT expired   <n>   expired.pem (valid 2020..2021)
//   PORT untrusted <n>   untrusted.pem (signed by other_ca)
//   PORT ec        <n>   server_ec.pem (ECDSA P-256)
//   PORT mtls      <n>   server.pem; requires a client certificate signed by ca.pem
//   PORT emailonly <n>   emailonly.pem (extendedKeyUsage emailProtection only)
//   PORT untrustedchain <n>  untrusted.pem and its (untrusted) CA in the chain
//   PORT kuencipher <n>  kuencipher.pem (keyUsage keyEncipherment only)
//   PORT ipsan     <n>   ipsan.pem (SAN IP:127.0.0.1, IP:::1 only)
//   PORT tls10     <n>   server.pem, TLS 1.0 only (ECDHE-RSA-AES128-SHA)
//   PORT staticrsa <n>   server.pem, TLS 1.2 with static-RSA suites only (AES128-GCM-SHA256)
//   PORT tls12     <n>   server.pem, TLS 1.2 at most (renegotiation is possible)
//   PORT tls13     <n>   server.pem, TLS 1.3 only (minVersion)
//   READY
// Every variant serves the same content:
//   WebSocket /                send "root <variant>", then echo
//   WebSocket /echo            echo every message with the same opcode (maxPayload 64 MiB)
//   /redirect-plain            302 to ws://localhost:1/echo (a client must refuse the downgrade)
//   /redirect-secure           302 to /echo on this server
//   WebSocket /push?size=N[&text=1]
//                              send N random bytes as one binary message (text=1:
//                              N bytes 'a'..'z' repeating, as text); the client echoes
//                              it back (sioc --echo); compare and send "ok <sha256 hex>"
//                              or "bad <why>" as text, then close 1000
//   WebSocket /whoami          send a text message: JSON {authorized, subject CN of
//                              the client certificate or null, protocol, cipher,
//                              servername (the SNI the client sent, or false),
//                              alpn (the protocol ALPN chose, or false)}
//   WebSocket /renegotiate     ask the client to renegotiate (TLS 1.2); send
//                              "renegotiated" or "refused: <why>", then echo
//   Socket.IO /socket.io/      namespace "/": message ...args -> emit message-back ...args;
//                              message-with-ack ...args -> ack(...args)
//   GET /hello                 200 "hello <variant>" (plain HTTPS check)
//   GET /trunc/...             an Engine.IO polling answer (open packet and CONNECT) whose
//                              body ends with the connection, closed without close_notify
// TLS handshake failures seen by the server are logged to stderr as
//   "tlsClientError <variant>: <message>".
'use strict';

const fs = require('fs');
const path = require('path');
const https = require('https');
const crypto = require('crypto');
const { WebSocketServer } = require('ws');
const { Server } = require('socket.io');

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: tls_server.js CERTDIR\n');
  process.exit(2);
}
const rd = (f) => fs.readFileSync(path.join(dir, f));

const VARIANTS = [
  ['server', 'server.pem', 'server.key', {}],
  ['wrongname', 'wrongname.pem', 'wrongname.key', {}],
  ['expired', 'expired.pem', 'expired.key', {}],
  ['untrusted', 'untrusted.pem', 'untrusted.key', {}],
  ['untrustedchain', 'untrusted_chain.pem', 'untrusted.key', {}],
  ['ec', 'server_ec.pem', 'server_ec.key', {}],
  ['mtls', 'server.pem', 'server.key',
    { requestCert: true, rejectUnauthorized: true, ca: [rd('ca.pem')] }],
  ['emailonly', 'emailonly.pem', 'emailonly.key', {}],
  ['kuencipher', 'kuencipher.pem', 'kuencipher.key', {}],
  ['kunonrep', 'kunonrep.pem', 'kunonrep.key', {}],
  ['kucertsign', 'kucertsign.pem', 'kucertsign.key', {}],
  ['untrustednoip', 'untrustednoip.pem', 'untrustednoip.key', {}],
  ['ipsan', 'ipsan.pem', 'ipsan.key', {}],
  ['wildcard', 'wildcard.pem', 'wildcard.key', {}],
  ['tls10', 'server.pem', 'server.key',
    { minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'ECDHE-RSA-AES128-SHA:@SECLEVEL=0' }],
  ['staticrsa', 'server.pem', 'server.key',
    { maxVersion: 'TLSv1.2', ciphers: 'AES128-GCM-SHA256:AES256-GCM-SHA384' }],
  ['staticrsaku', 'kuencipher.pem', 'kuencipher.key',
    { maxVersion: 'TLSv1.2', ciphers: 'AES128-GCM-SHA256:AES256-GCM-SHA384' }],
  ['tls12', 'server.pem', 'server.key', { maxVersion: 'TLSv1.2' }],
  ['tls13', 'server.pem', 'server.key', { minVersion: 'TLSv1.3' }],
];

function alphabet(n) {
  const buf = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) buf[i] = 97 + (i % 26);
  return buf;
}

function handleWs(ws, req, variant) {
  const url = new URL(req.url, 'https://localhost');
  const q = url.searchParams;
  ws.on('error', () => {});
  switch (url.pathname) {
    case '/echo':
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary, compress: false }));
      break;
    case '/push': {
      const size = parseInt(q.get('size') || '0', 10);
      const binary = q.get('text') !== '1';
      const payload = binary ? crypto.randomBytes(size) : alphabet(size);
      const digest = crypto.createHash('sha256').update(payload).digest('hex');
      let done = false;
      ws.on('message', (data, isBinary) => {
        if (done) return;
        done = true;
        const buf = Buffer.isBuffer(data) ? data : Buffer.concat(data);
        let verdict;
        if (isBinary !== binary) verdict = `bad opcode binary=${isBinary}`;
        else if (!buf.equals(payload)) verdict = `bad content len=${buf.length} want=${size}`;
        else verdict = `ok ${digest}`;
        ws.send(verdict, () => ws.close(1000, ''));
      });
      ws.send(payload, { binary, compress: false });
      break;
    }
    case '/':
      ws.send(`root ${variant}`);
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary, compress: false }));
      break;
    case '/whoami': {
      const s = req.socket;
      const peer = s.getPeerCertificate ? s.getPeerCertificate() : null;
      const cipher = s.getCipher ? s.getCipher() : null;
      ws.send(JSON.stringify({
        variant,
        authorized: !!s.authorized,
        client_cn: peer && peer.subject ? peer.subject.CN : null,
        protocol: s.getProtocol ? s.getProtocol() : null,
        cipher: cipher ? cipher.name : null,
        servername: s.servername || false,
        alpn: s.alpnProtocol || false,
      }));
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary, compress: false }));
      break;
    }
    case '/renegotiate': {
      const s = req.socket;
      let said = false;
      const say = (text) => { if (!said) { said = true; ws.send(text); } };
      s.once('error', (err) => say(`refused: ${err.message}`));
      const asked = s.renegotiate({ rejectUnauthorized: false }, (err) =>
        say(err ? `refused: ${err.message}` : 'renegotiated'));
      if (asked === false) say('refused: not possible on this connection');
      setTimeout(() => say('refused: no answer within 2 s'), 2000).unref();
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary, compress: false }));
      break;
    }
    default:
      ws.close(4404, 'unknown path');
  }
}

const servers = [];

function start(variant, certFile, keyFile, extra) {
  return new Promise((resolve, reject) => {
    // ALPN: http/1.1 is chosen when the client offers it (/whoami reports it)
    const opts = Object.assign({ cert: rd(certFile), key: rd(keyFile), ALPNProtocols: ['http/1.1'] }, extra);
    const server = https.createServer(opts, (req, res) => {
      // socket.io handles its own path; everything else:
      if (req.url.startsWith('/socket.io/')) return;
      if (req.url.startsWith('/trunc/')) {
        // A polling body delimited by the connection's end (no length, no
        // chunks), then TCP closed without TLS close_notify, as an attacker
        // cutting the stream would: the client must not take it as whole.
        const s = req.socket;
        if (req.method !== 'GET') { s.destroy(); return; }
        const open = '0{"sid":"trunc-sid","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}';
        s.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=UTF-8\r\nConnection: close\r\n\r\n' +
                open + '\x1e40{"sid":"trunc"}', () => setTimeout(() => s.destroy(), 100));
        return;
      }
      if (req.url === '/hello') {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end(`hello ${variant}`);
        return;
      }
      res.writeHead(404);
      res.end();
    });
    server.on('tlsClientError', (err) => {
      process.stderr.write(`tlsClientError ${variant}: ${err.message}\n`);
    });
    const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024,
      perMessageDeflate: false });
    const io = new Server(server, {
      path: '/socket.io/',
      transports: ['polling', 'websocket'],
      destroyUpgrade: false,       // our own upgrade handler below owns the other paths
      maxHttpBufferSize: 1e7,
      pingInterval: 2000,
      pingTimeout: 2000,
      cors: { origin: '*' },
    });
    io.on('connection', (socket) => {
      socket.on('message', (...args) => socket.emit('message-back', ...args));
      socket.on('message-with-ack', (...args) => {
        const ack = args.pop();
        if (typeof ack === 'function') ack(...args);
      });
    });
    server.on('upgrade', (req, socket, head) => {
      const p = req.url.split('?')[0];
      if (p.startsWith('/socket.io/')) return;       // engine.io's listener
      if (p === '/' || p === '/echo' || p === '/push' || p === '/whoami' || p === '/renegotiate') {
        wss.handleUpgrade(req, socket, head, (ws) => handleWs(ws, req, variant));
      } else if (p === '/redirect-plain' || p === '/redirect-secure') {
        // a redirect to plain ws:// (which a client must refuse) or back to /echo over wss://
        const to = p === '/redirect-plain' ? 'ws://localhost:1/echo' : '/echo';
        socket.end('HTTP/1.1 302 Found\r\nLocation: ' + to + '\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      } else {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      }
    });
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      servers.push({ server, wss, io });
      resolve([variant, server.address().port]);
    });
  });
}

(async () => {
  try {
    const lines = [];
    for (const [v, c, k, e] of VARIANTS) {
      const [name, port] = await start(v, c, k, e);
      lines.push(`PORT ${name} ${port}\n`);
    }
    process.stdout.write(lines.join('') + 'READY\n');
  } catch (err) {
    process.stderr.write(`tls_server: ${err.stack || err}\n`);
    process.exit(1);
  }
})();

function shutdown() {
  for (const { wss, io, server } of servers) {
    for (const c of wss.clients) c.terminate();
    io.close();
    server.closeAllConnections && server.closeAllConnections();
  }
  setTimeout(() => process.exit(0), 200).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
