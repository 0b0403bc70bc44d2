import { createPrivateKey, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** What the TLS listener serves, and what boards pin. */
export interface TlsCredentials {
  cert: string;
  key: string;
  /** SHA-256 fingerprint of the (first) certificate, `AB:CD:...` as boards and browsers show it. */
  fingerprint256: string;
  /** Where the certificate is, for people. */
  certFile: string;
  /** True when this call generated the certificate. */
  generated: boolean;
}

export interface TlsFiles {
  certFile: string | null;
  keyFile: string | null;
}

/** A TLS setup problem a person must fix (unreadable file, a key that does not match). */
export class TlsSetupError extends Error {
  readonly code = 'TLS_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'TlsSetupError';
  }
}

/** Where a generated certificate and key live inside the data directory. */
export function generatedPaths(dataDir: string): { certFile: string; keyFile: string } {
  return { certFile: join(dataDir, 'tls', 'cert.pem'), keyFile: join(dataDir, 'tls', 'key.pem') };
}

/**
 * The configured certificate and key, or the self-signed pair kept in `<data>/tls/` (generated on
 * the first start that needs it: EC P-256, which an ESP8266 handshakes with far faster and in less
 * RAM than RSA-2048; valid 20 years, since boards pin the fingerprint rather than check dates).
 * `selfsigned` (~140 ms to import) is loaded only here, when a certificate is generated.
 */
export async function loadOrCreateTlsCredentials(dataDir: string, files: TlsFiles, now: Date = new Date()): Promise<TlsCredentials> {
  if (files.certFile !== null && files.keyFile !== null) return readPair(resolve(files.certFile), resolve(files.keyFile), false);
  const paths = generatedPaths(dataDir);
  if (existsSync(paths.certFile) && existsSync(paths.keyFile)) return readPair(paths.certFile, paths.keyFile, false);
  const notAfter = new Date(now);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + 20);
  const name = hostname();
  const { default: selfsigned } = await import('selfsigned');
  const pems = await selfsigned.generate([{ name: 'commonName', value: `sheetlog ${name}` }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: now,
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 2, value: name }, { type: 7, ip: '127.0.0.1' }] },
    ],
  });
  mkdirSync(dirname(paths.certFile), { recursive: true, mode: 0o700 });
  writeAtomically(paths.keyFile, pems.private, 0o600);
  writeAtomically(paths.certFile, pems.cert, 0o644);
  return readPair(paths.certFile, paths.keyFile, true);
}

/**
 * The fingerprints of the certificate the gateway serves, or null when none exists yet. SHA-1 is
 * there for the ESP8266 (BearSSL's `setFingerprint` takes SHA-1 only); everything else pins SHA-256.
 */
export function tlsFingerprint(dataDir: string, files: TlsFiles): { fingerprint256: string; fingerprint1: string; certFile: string } | null {
  const certFile = files.certFile !== null ? resolve(files.certFile) : generatedPaths(dataDir).certFile;
  if (!existsSync(certFile)) return null;
  const x509 = certificateOf(readFileSync(certFile, 'utf8'), certFile);
  return { fingerprint256: x509.fingerprint256, fingerprint1: x509.fingerprint, certFile };
}

function readPair(certFile: string, keyFile: string, generated: boolean): TlsCredentials {
  const cert = readText(certFile, 'certificate');
  const key = readText(keyFile, 'private key');
  const x509 = certificateOf(cert, certFile);
  let matches = false;
  try {
    matches = x509.checkPrivateKey(createPrivateKey(key));
  } catch (e) {
    throw new TlsSetupError(`tcp.tls: ${keyFile} is not a PEM private key (${(e as Error).message})`);
  }
  if (!matches) throw new TlsSetupError(`tcp.tls: the key in ${keyFile} does not belong to the certificate in ${certFile}`);
  return { cert, key, fingerprint256: x509.fingerprint256, certFile, generated };
}

function certificateOf(pem: string, file: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (e) {
    throw new TlsSetupError(`tcp.tls: ${file} is not a PEM certificate (${(e as Error).message})`);
  }
}

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new TlsSetupError(`tcp.tls: cannot read the ${what} ${file} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}

function writeAtomically(file: string, text: string, mode: number): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}
