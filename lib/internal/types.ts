// Public types shared by the TypeScript side.
import type { NativeCertificate } from '../../typings/native';

/** The certificate object getPeerCertificate() returns, in Node's shape. */
export type PeerCertificate = NativeCertificate;
