'use strict';
// bench/server.js without the IPC parent: the port it listens on is written to the
// file named by OTLS_PORT_FILE. Used by the profiling scripts in this folder.
const fs = require('node:fs');
const path = require('node:path');

process.send = (msg) => {
  if (msg.type === 'ready') fs.writeFileSync(process.env.OTLS_PORT_FILE, String(msg.port));
};
process.on('SIGUSR2', () => process.exit(0));
require(path.join(__dirname, '..', 'server.js'));
