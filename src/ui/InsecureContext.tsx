/**
 * The one screen a page opened over plain HTTP from another device gets instead of a node:
 * browsers give it no secure context (no Web Locks, so no identity slot; no service worker), so
 * it says why and where the HTTPS page is, or how the relay gets one.
 */

export interface InsecureContextProps {
  /** this page's address */
  href: string
  /** does the relay that served the page speak HTTPS too? undefined: could not tell */
  relayTls?: boolean
}

/** The same page over HTTPS, on the same host and port. */
export function httpsUrlOf(href: string): string {
  const url = new URL(href)
  return `https://${url.hostname}:${url.port === '' ? '80' : url.port}${url.pathname}${url.search}`
}

export function InsecureContext({ href, relayTls }: InsecureContextProps) {
  const here = new URL(href)
  const https = httpsUrlOf(href)
  const port = here.port === '' ? '80' : here.port
  const name = here.hostname.replace(/^\[|\]$/g, '')
  const portFlag = port === '9000' ? '' : ` --port ${port}`
  return (
    <main>
      <h1>p2p-ai-agents</h1>
      <section className="card error" data-testid="insecure-context">
        <h2>This page needs HTTPS to join the mesh from this device</h2>
        <p>
          You opened it over plain HTTP from <span className="mono">{here.host}</span>. Browsers
          treat such a page as not secure and hold back what a node needs: Web Locks (each tab keeps
          its own identity in IndexedDB under a lock), and the service worker that lets the app
          start offline.
        </p>
        {relayTls === true ? (
          <p>
            Open it over HTTPS instead:{' '}
            <a data-testid="https-url" href={https}>
              {https}
            </a>
          </p>
        ) : (
          <>
            <p>
              {relayTls === false
                ? 'This relay serves plain HTTP only. Once it serves HTTPS, open '
                : 'If the relay serves HTTPS, open '}
              <a data-testid="https-url" href={https}>
                {https}
              </a>
              . To start it with a certificate it makes itself (kept, and reused next time):
            </p>
            <pre className="mono">
              p2p-ai-agents relay start --host 0.0.0.0{portFlag} --tls self-signed
            </pre>
            <p>
              It prints the certificate’s SHA-256 fingerprint: check that your browser shows the
              same one before you accept the certificate. Or make one every device trusts with{' '}
              <a href="https://github.com/FiloSottile/mkcert">mkcert</a> (install its root
              certificate on this device too):
            </p>
            <pre className="mono">
              {`mkcert -install\nmkcert ${name}\np2p-ai-agents relay start --host 0.0.0.0${portFlag} --tls-cert ${name}.pem --tls-key ${name}-key.pem`}
            </pre>
          </>
        )}
        <p className="muted">
          On the machine that runs the relay, http://localhost:{port}/ works as it is.
        </p>
      </section>
    </main>
  )
}
