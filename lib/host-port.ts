/** `host:port` for a URL: IPv6 literals need brackets (`[::1]:8080`). One helper for every server's printed URL. */
export function hostPort(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}
