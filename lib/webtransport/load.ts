/**
 * Loading @fails-components/webtransport. Two things happen on import that
 * this module contains:
 *
 * 1. The package tries to import its optional HTTP/3 transport
 *    (`@fails-components/webtransport-transport-http3-quiche`) and, when it is
 *    absent, prints the failure with a stack — with `console.log`, i.e. on
 *    stdout, where `npm run services -- --json` writes its one ready line.
 *    Those messages (and only those) are filtered from then on.
 * 2. Whether that HTTP/3 transport loaded decides whether WebTransport can
 *    run over h3; `quicheStatus` records it with the loader's own error.
 */
type WebTransportModule = typeof import('@fails-components/webtransport');

/** The optional HTTP/3 transport of the package (not installed here: its build clones libquiche from GitHub). */
export const QUICHE_MODULE = '@fails-components/webtransport-transport-http3-quiche';

let loading: Promise<WebTransportModule> | undefined;

/** The package, loaded once, with its absent-HTTP/3 noise kept off stdout and stderr. */
export function loadWebTransport(): Promise<WebTransportModule> {
  loading ??= (async () => {
    // Muted for good, not just while loading: the package logs from two promise chains (its client
    // and its server module), and under load the server's settles after `quicheLoaded` and a tick.
    muteQuicheNoise();
    return import('@fails-components/webtransport');
  })().catch((error: unknown) => {
    loading = undefined;
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`webtransport: expected @fails-components/webtransport to load, got ${message}`);
  });
  return loading;
}

/** Whether the HTTP/3 transport can load, and if not, exactly why (the import error). */
export interface QuicheStatus {
  readonly available: boolean;
  readonly reason?: string;
}

/**
 * Probes the optional HTTP/3 transport with a dynamic import, at module
 * load (a top-level await: the realtime registry needs the answer
 * synchronously). A missing package fails at resolution, in microseconds.
 */
export const quicheStatus: QuicheStatus = await import(QUICHE_MODULE).then(
  () => ({ available: true }),
  (error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code;
    const detail = code === 'ERR_MODULE_NOT_FOUND' ? 'is not installed' : `does not load (${String(error)})`;
    return {
      available: false,
      reason: `WebTransport over HTTP/3 needs the optional module ${QUICHE_MODULE}, which ${detail}; its install builds libquiche from a GitHub clone (see ENVIRONMENT.md)`,
    };
  },
);

const NOISE = /http3-quiche|http3 loader|Problem loading http3/;

let muted = false;

/** Drops only the package's absent-quiche messages from console.log/error; everything else passes. */
function muteQuicheNoise(): void {
  if (muted) return;
  muted = true;
  const { log, error } = console;
  const filter =
    (write: (...args: unknown[]) => void) =>
    (...args: unknown[]): void => {
      if (args.some((a) => NOISE.test(a instanceof Error ? a.message : String(a)))) return;
      write(...args);
    };
  console.log = filter(log);
  console.error = filter(error);
}
