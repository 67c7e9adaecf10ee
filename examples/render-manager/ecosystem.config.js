// pm2's description of the service: `pm2 start ecosystem.config.js` from this directory.
// watch stays off: pm2 would otherwise restart the app the moment an update moves the checkout,
// before install and build have run; the updater restarts it once, when the new version is ready.
// PORT and RENDER_DB come from the environment of that `pm2 start` (server.js has defaults).
"use strict";

const env = {};
for (const name of ["PORT", "HOST", "RENDER_DB"]) {
  if (process.env[name] !== undefined) env[name] = process.env[name];
}

module.exports = {
  apps: [
    {
      name: "render-manager",
      script: "server.js",
      cwd: __dirname,
      watch: false,
      autorestart: true,
      // A release that dies at start is restarted a few times, then left "errored" for the
      // updater's health check to see (and roll back), instead of looping for ever.
      min_uptime: "2s",
      max_restarts: 5,
      env,
    },
  ],
};
