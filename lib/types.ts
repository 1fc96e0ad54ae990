// The public types in node:tls's terms (@types/node), so that a program typed
// against node:tls compiles unchanged on openssl-tls: our TLSSocket gains
// node's signatures by declaration merging (they come first, so calls and
// assignments to node's types see node's shapes: Buffer<ArrayBuffer>,
// PeerCertificate, typed events); the implementation's own signatures stay
// behind them. test/types.test.ts compiles programs against dist/index.d.ts.
import type * as nodeTls from 'node:tls';
import type { SecureContext, SecureContextOptions } from './context/secure_context';

export type PeerCertificate = nodeTls.PeerCertificate;
export type DetailedPeerCertificate = nodeTls.DetailedPeerCertificate;

declare module './socket/tls_socket' {
  interface TLSSocket {
    getPeerCertificate(detailed: true): nodeTls.DetailedPeerCertificate;
    getPeerCertificate(detailed?: false): nodeTls.PeerCertificate;
    getPeerCertificate(detailed?: boolean): nodeTls.PeerCertificate | nodeTls.DetailedPeerCertificate;
    getCipher(): nodeTls.CipherNameAndProtocol;
    getFinished(): Buffer<ArrayBuffer> | undefined;
    getPeerFinished(): Buffer<ArrayBuffer> | undefined;
    getSession(): Buffer<ArrayBuffer> | undefined;
    getTLSTicket(): Buffer<ArrayBuffer> | undefined;
    isSessionReused(): boolean;
    getSharedSigalgs(): string[];
    exportKeyingMaterial(length: number, label: string, context?: Buffer): Buffer<ArrayBuffer>;
    /** Switch this server socket's key and certificate (from ALPNCallback or SNICallback). */
    setKeyCert(context: SecureContextOptions | SecureContext): void;

    // node:tls's event signatures, its catch-all first as in @types/node.
    /* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/unified-signatures */
    addListener(event: string, listener: (...args: any[]) => void): this;
    addListener(event: 'OCSPResponse', listener: (response: Buffer<ArrayBuffer>) => void): this;
    addListener(event: 'secureConnect', listener: () => void): this;
    addListener(event: 'session', listener: (session: Buffer<ArrayBuffer>) => void): this;
    addListener(event: 'keylog', listener: (line: Buffer<ArrayBuffer>) => void): this;
    emit(event: string | symbol, ...args: any[]): boolean;
    emit(event: 'OCSPResponse', response: Buffer<ArrayBuffer>): boolean;
    emit(event: 'secureConnect'): boolean;
    emit(event: 'session', session: Buffer<ArrayBuffer>): boolean;
    emit(event: 'keylog', line: Buffer<ArrayBuffer>): boolean;
    on(event: string, listener: (...args: any[]) => void): this;
    on(event: 'OCSPResponse', listener: (response: Buffer<ArrayBuffer>) => void): this;
    on(event: 'secureConnect', listener: () => void): this;
    on(event: 'session', listener: (session: Buffer<ArrayBuffer>) => void): this;
    on(event: 'keylog', listener: (line: Buffer<ArrayBuffer>) => void): this;
    once(event: string, listener: (...args: any[]) => void): this;
    once(event: 'OCSPResponse', listener: (response: Buffer<ArrayBuffer>) => void): this;
    once(event: 'secureConnect', listener: () => void): this;
    once(event: 'session', listener: (session: Buffer<ArrayBuffer>) => void): this;
    once(event: 'keylog', listener: (line: Buffer<ArrayBuffer>) => void): this;
    prependListener(event: string, listener: (...args: any[]) => void): this;
    prependListener(event: 'OCSPResponse', listener: (response: Buffer<ArrayBuffer>) => void): this;
    prependListener(event: 'secureConnect', listener: () => void): this;
    prependListener(event: 'session', listener: (session: Buffer<ArrayBuffer>) => void): this;
    prependListener(event: 'keylog', listener: (line: Buffer<ArrayBuffer>) => void): this;
    prependOnceListener(event: string, listener: (...args: any[]) => void): this;
    prependOnceListener(event: 'OCSPResponse', listener: (response: Buffer<ArrayBuffer>) => void): this;
    prependOnceListener(event: 'secureConnect', listener: () => void): this;
    prependOnceListener(event: 'session', listener: (session: Buffer<ArrayBuffer>) => void): this;
    prependOnceListener(event: 'keylog', listener: (line: Buffer<ArrayBuffer>) => void): this;
    /* eslint-enable @typescript-eslint/no-explicit-any, @typescript-eslint/unified-signatures */
  }
}
