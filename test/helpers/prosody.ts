// A real XMPP server for tests: Debian's Prosody (found on PATH, or through PROSODY_PATH and
// PROSODYCTL_PATH), started in the foreground on a free loopback port, with its configuration and
// data in a temporary folder (never the system's service or /etc/prosody). Accounts are made with
// prosodyctl against that configuration. Plain streams (no TLS), as XMPP_TLS=plain allows on
// loopback; or, with `tls`, STARTTLS required, with a certificate for the domain made by openssl.
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './process.ts';

const run = promisify(execFile);

export type TestProsody = {
  /** The virtual host: accounts are name@domain. */
  domain: string;
  port: number;
  /** XMPP_SERVICE for Ostrakon and the test clients. */
  service: string;
  /** With `tls`: the self-signed certificate of the domain (a CA file for NODE_EXTRA_CA_CERTS). */
  certificate: string | undefined;
  /** Creates an account (prosodyctl) and returns its bare JID. */
  register(local: string, password: string): Promise<string>;
  /** Stops the server, keeping its data (accounts, offline messages): an XMPP server that is down. */
  halt(): Promise<void>;
  /** Starts it again on the same port with the same data, after halt(). */
  restart(): Promise<void>;
  /** What Prosody logged so far. */
  log(): string;
  /** Stops it and removes its folder. */
  stop(): Promise<void>;
};

function configText(dir: string, port: number, domain: string, tls: boolean): string {
  return `-- Written by the tests: a throwaway Prosody on loopback.
daemonize = false
prosody_user = ${JSON.stringify(os.userInfo().username)}
pidfile = ${JSON.stringify(path.join(dir, 'prosody.pid'))}
data_path = ${JSON.stringify(path.join(dir, 'data'))}
certificates = ${JSON.stringify(path.join(dir, 'certs'))}
log = { { levels = { min = "info" }, to = "console" } }
plugin_paths = {}
modules_enabled = { "roster", "saslauth", "disco", "ping", "presence", "message", "offline", "smacks", "time", "version"${tls ? ', "tls"' : ''} }
modules_disabled = { "posix", "s2s"${tls ? '' : ', "tls"'} }
c2s_ports = { ${port} }
c2s_interfaces = { "127.0.0.1" }
c2s_direct_tls_ports = {}
s2s_ports = {}
legacy_ssl_ports = {}
component_ports = {}
http_ports = {}
https_ports = {}
c2s_require_encryption = ${tls}
allow_unencrypted_plain_auth = ${!tls}
authentication = "internal_hashed"
storage = "internal"
VirtualHost ${JSON.stringify(domain)}
`;
}

function binary(variable: string, name: string): string {
  return process.env[variable] ?? name;
}

// Resolves once the port accepts connections (or rejects after timeoutMs).
async function waitForPort(port: number, child: ChildProcess, output: () => string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Prosody exited while starting:\n${output()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Prosody did not listen on ${port} within ${timeoutMs} ms:\n${output()}`);
}

// A self-signed certificate for the domain, where Prosody looks for it (certs/<domain>.crt and .key).
async function makeCertificate(dir: string, domain: string): Promise<string> {
  const certificate = path.join(dir, 'certs', `${domain}.crt`);
  const key = path.join(dir, 'certs', `${domain}.key`);
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${domain}`, '-addext', `subjectAltName=DNS:${domain}`, '-keyout', key, '-out', certificate]);
  return certificate;
}

/** Starts a Prosody for one test file (with `tls`: STARTTLS required, with a self-signed certificate). */
export async function startProsody(options: { domain?: string; tls?: boolean } = {}): Promise<TestProsody> {
  const domain = options.domain ?? 'xmpp.test';
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ostrakon-prosody-'));
  mkdirSync(path.join(dir, 'data'));
  mkdirSync(path.join(dir, 'certs'));
  const certificate = options.tls ? await makeCertificate(dir, domain) : undefined;
  const port = await freePort();
  const config = path.join(dir, 'prosody.cfg.lua');
  writeFileSync(config, configText(dir, port, domain, options.tls === true));
  let text = '';
  let child: ChildProcess | undefined;

  const boot = async () => {
    const started = spawn(binary('PROSODY_PATH', 'prosody'), ['--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    started.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    started.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    child = started;
    await waitForPort(port, started, () => text);
  };

  const halt = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  await boot();
  return {
    domain,
    port,
    service: `xmpp://127.0.0.1:${port}`,
    certificate,
    async register(local, password) {
      await run(binary('PROSODYCTL_PATH', 'prosodyctl'), ['--config', config, 'register', local, domain, password]);
      return `${local}@${domain}`;
    },
    halt,
    async restart() {
      if (child) return;
      await boot();
    },
    log: () => text,
    async stop() {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
