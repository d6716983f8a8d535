#!/usr/bin/env node
// Runs the built service for real. When no Redis is configured (REDIS_URL unset, standalone mode),
// it starts a local redis-server with AOF persistence on a free port under .run/redis and stops it on exit.
// AUTH_MODE defaults to none here (and only here), so a local trial needs no token issuer.
// The service runs from a snapshot of dist/ under .run/app-<pid>, removed on exit: `npm test` rebuilds dist/
// (its pretest deletes it first) and must never pull the files from under a running `npm start`.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const { cpSync, existsSync, mkdirSync, readdirSync, rmSync } = require('node:fs');
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

/** Copies dist/ (and package.json, which dist/ reads as ../package.json) to .run/app-<pid>; drops snapshots of runs that are gone. */
function snapshotBuild() {
  const runDir = path.join(root, '.run');
  mkdirSync(runDir, { recursive: true });
  for (const name of readdirSync(runDir)) {
    const pid = Number(/^app-(\d+)$/.exec(name)?.[1]);
    if (pid && !isAlive(pid)) rmSync(path.join(runDir, name), { recursive: true, force: true });
  }
  const dir = path.join(runDir, `app-${process.pid}`);
  if (!existsSync(path.join(root, 'dist', 'main.js'))) {
    console.error('dist/main.js is missing: run npm run build (npm start builds first)');
    process.exit(1);
  }
  cpSync(path.join(root, 'dist'), path.join(dir, 'dist'), { recursive: true });
  cpSync(path.join(root, 'package.json'), path.join(dir, 'package.json'));
  return dir;
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
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
  const snapshot = snapshotBuild();
  const main = path.join(snapshot, 'dist', 'main.js');
  const app = spawn(process.execPath, [main], { env, stdio: 'inherit' });
  console.error(`running ${path.relative(root, main)} (pid ${app.pid}), a snapshot of dist/: rebuilding dist/ does not touch it`);
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => app.kill(signal));
  app.on('exit', (code, signal) => {
    rmSync(snapshot, { recursive: true, force: true });
    if (redis) redis.kill('SIGTERM');
    process.exitCode = code ?? (signal ? 1 : 0);
  });
}

main().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
