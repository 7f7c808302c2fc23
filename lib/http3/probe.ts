import { serveFetchOverHttp3 } from './serve-fetch.js';

/** Failures that mean "this machine cannot run the package", not "the code is wrong". */
const LOAD_FAILURE =
  /expected @currentspace\/http3 to load|ERR_DLOPEN_FAILED|Cannot find (module|native binding)|ERR_HTTP3_RUNTIME_UNSUPPORTED|ERR_HTTP3_FAST_PATH_UNAVAILABLE|GLIBC_|invalid ELF header/;

/**
 * Why HTTP/3 cannot run here, or undefined when it can: loads the package
 * and its native addon by binding a throw-away listener on port 0. Only
 * load failures count as a reason (so callers may report h3 as skipped);
 * anything else is rethrown, because it would be a bug to hide.
 */
export async function http3Unavailable(tls: {
  certPem: string;
  keyPem: string;
}): Promise<string | undefined> {
  try {
    const server = await serveFetchOverHttp3(() => new Response(null, { status: 204 }), {
      host: '127.0.0.1',
      port: 0,
      ...tls,
    });
    await server.close();
    return undefined;
  } catch (error) {
    const message =
      error instanceof Error
        ? `${error.message} ${(error as NodeJS.ErrnoException).code ?? ''}`
        : String(error);
    if (LOAD_FAILURE.test(message)) return message.trim();
    throw error;
  }
}
