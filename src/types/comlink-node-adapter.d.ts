// comlink ships its Node adapter's types as node-adapter.d.ts beside node-adapter.mjs, which
// NodeNext resolution does not pair up; these are those types.
declare module 'comlink/dist/esm/node-adapter.mjs' {
  import type { Endpoint } from 'comlink'
  export interface NodeEndpoint {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as comlink declares it
    postMessage(message: any, transfer?: any[]): void
    on(type: string, listener: EventListenerOrEventListenerObject, options?: object): void
    off(type: string, listener: EventListenerOrEventListenerObject, options?: object): void
    start?: () => void
  }
  export default function nodeEndpoint(nep: NodeEndpoint): Endpoint
}
