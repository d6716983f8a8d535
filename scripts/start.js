#!/usr/bin/env node
// Runs the built service for real. When no Redis is configured (REDIS_URL unset, standalone mode),
// it starts a local redis-server with AOF persistence on a free port under .run/redis and stops it on exit.
// AUTH_MODE defaults to none here (and only here), so a local trial needs no token issuer.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const { mkdirSync } = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer().on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function waitForPort(port, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => socket.end(resolve));
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`redis-server did not listen on ${port}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

async function startLocalRedis() {
  const bin = process.env.REDIS_SERVER_BIN || 'redis-server';
  if (spawnSync(bin, ['--version']).error) {
    console.error(
      'REDIS_URL is not set and redis-server is not installed.\n' +
        'Install it (Debian/Ubuntu: sudo apt-get install -y redis-server; macOS: brew install redis) or set REDIS_URL.',
    );
    process.exit(1);
  }
  const port = await freePort();
  const dir = path.join(root, '.run', 'redis');
  mkdirSync(dir, { recursive: true });
  const redis = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', ''], {
    stdio: 'ignore',
  });
  await waitForPort(port, 10000);
  console.error(`started local redis-server on 127.0.0.1:${port} (data in .run/redis)`);
  return { redis, url: `redis://127.0.0.1:${port}` };
}

async function main() {
  const env = { ...process.env };
  if (!env.AUTH_MODE) {
    // A local trial has no business backend minting tokens; production must choose AUTH_MODE itself.
    env.AUTH_MODE = 'none';
    console.error('AUTH_MODE is not set: using AUTH_MODE=none for this local run (anchors are not authenticated)');
  }
  let redis = null;
  if (!env.REDIS_URL && (env.REDIS_MODE || 'standalone') === 'standalone') {
    const local = await startLocalRedis();
    redis = local.redis;
    env.REDIS_URL = local.url;
  }
  const app = spawn(process.execPath, [path.join(root, 'dist', 'main.js')], { env, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => app.kill(signal));
  app.on('exit', (code, signal) => {
    if (redis) redis.kill('SIGTERM');
    process.exitCode = code ?? (signal ? 1 : 0);
  });
}

main().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
