// @peculiar/x509 resolves its ASN.1 services through tsyringe, which needs the Reflect metadata polyfill.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';

type KeyPair = webcrypto.CryptoKeyPair;

import * as x509 from '@peculiar/x509';

// Node's webcrypto is the Web Crypto API; its TypeScript type differs from the DOM's `Crypto` only nominally.
x509.cryptoProvider.set(webcrypto as never);

/** TLS material for one run. No private key is ever committed: a new CA and leaf are made per run. */
export interface GeneratedTls {
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
  /** SHA-256 of the leaf certificate (DER), for WebTransport's serverCertificateHashes. */
  readonly certSha256: Uint8Array;
}

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

/**
 * Makes a throw-away CA and a server certificate it signs, for the given
 * names and addresses. ECDSA P-256 keeps handshakes cheap and comparable
 * across stacks. Validity stays under 14 days because WebTransport's
 * certificate-hash pinning refuses longer-lived certificates. Clients trust
 * the CA explicitly — nothing here disables verification globally.
 */
export async function generateTls(
  options: { hosts?: readonly string[]; validityDays?: number } = {},
): Promise<GeneratedTls> {
  const hosts = options.hosts ?? ['localhost', '127.0.0.1', '::1'];
  const validityDays = options.validityDays ?? 10;
  const notBefore = new Date(Date.now() - DAY_MS);
  const notAfter = new Date(Date.now() + validityDays * DAY_MS);

  // 1. The CA: self-signed, may sign leaves only.
  const caKeys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: 'CN=wirebench run CA',
    notBefore,
    notAfter,
    signingAlgorithm: ALG,
    keys: caKeys as KeyPair,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });

  // 2. The leaf: server auth for every host name and IP address we listen on.
  const leafKeys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as KeyPair;
  const names = hosts.map((h) =>
    isIp(h) ? { type: 'ip' as const, value: h } : { type: 'dns' as const, value: h },
  );
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: 'CN=wirebench services',
    issuer: ca.subject,
    notBefore,
    notAfter,
    signingAlgorithm: ALG,
    publicKey: leafKeys.publicKey,
    signingKey: (caKeys as KeyPair).privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', leafKeys.privateKey);
  const keyPem = x509.PemConverter.encode(pkcs8, 'PRIVATE KEY');
  const certSha256 = new Uint8Array(await webcrypto.subtle.digest('SHA-256', leaf.rawData));
  return { caPem: ca.toString('pem'), certPem: leaf.toString('pem'), keyPem, certSha256 };
}

function isIp(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');
}

function randomSerial(): string {
  // Positive 16-byte serial (high bit cleared), as RFC 5280 asks.
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return Buffer.from(bytes).toString('hex');
}
