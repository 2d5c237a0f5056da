#!/usr/bin/env node
// WebSocket servers with permessage-deflate for sio's integration tests, on
// the repo's pinned `ws`.
//
//   node tests/servers/ws_deflate.js PORT      (0 = pick a free port)
//
// Listens on 127.0.0.1 only and prints "PORT <n>" as its first stdout line.
// Each path is a server with its own perMessageDeflate settings (threshold 0:
// every message it sends is compressed); all echo every message with the same
// opcode, answer the text "ext?" with the extension they agreed, and "frag?"
// with one compressed message sent in three fragments.
//   /takeover      defaults (context takeover both ways allowed)
//   /no-takeover   serverNoContextTakeover
//   /window-9      serverMaxWindowBits 9
//   /client-9      clientMaxWindowBits 9 (the client must stay within 512 bytes)
//   /client-no-takeover  clientNoContextTakeover
//   /all           every parameter: both no takeover, both windows 10 bits
//   /off           perMessageDeflate false
'use strict';

const http = require('http');
const { WebSocketServer } = require('ws');

const settings = {
  '/takeover': { threshold: 0 },
  '/no-takeover': { threshold: 0, serverNoContextTakeover: true },
  '/window-9': { threshold: 0, serverMaxWindowBits: 9 },
  '/client-9': { threshold: 0, clientMaxWindowBits: 9 },
  '/client-no-takeover': { threshold: 0, clientNoContextTakeover: true },
  '/all': { threshold: 0, serverNoContextTakeover: true, clientNoContextTakeover: true,
            serverMaxWindowBits: 10, clientMaxWindowBits: 10 },
  '/off': false,
};
const servers = {};
for (const [path, pmd] of Object.entries(settings)) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024, perMessageDeflate: pmd });
  wss.on('connection', (ws, req) => {
    ws.on('message', (data, isBinary) => {
      if (!isBinary && data.toString() === 'frag?') {
        // one compressed message in three fragments (RSV1 on the first)
        for (let i = 0; i < 3; i++) ws.send('fragment ' + i + ' '.repeat(1) + 'x'.repeat(3000), { fin: i === 2, compress: true });
      } else if (!isBinary && data.toString() === 'ext?') {
        ws.send(String(req.headers['sec-websocket-extensions'] || '') + ' -> ' + Object.keys(ws._extensions).join(','));
      } else {
        ws.send(data, { binary: isBinary });
      }
    });
  });
  servers[path] = wss;
}

const server = http.createServer((req, res) => { res.writeHead(404); res.end(); });
server.on('upgrade', (req, socket, head) => {
  const wss = servers[new URL(req.url, 'http://x').pathname];
  if (!wss) { socket.destroy(); return; }
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
});
server.listen(parseInt(process.argv[2] || '0', 10), '127.0.0.1', () => {
  console.log('PORT ' + server.address().port);
});
