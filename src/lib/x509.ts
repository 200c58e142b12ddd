// @peculiar/x509 set up for weft: import it from here, never directly. It depends on tsyringe,
// which demands the Reflect metadata API at load time (normally from the reflect-metadata
// package, which we do not ship). tsyringe only uses getMetadata/getOwnMetadata/
// defineMetadata, so a WeakMap-backed stand-in is installed first when none exists. Then
// WebCrypto from node:crypto is set as the provider.
import { webcrypto } from 'node:crypto';
import './reflect-metadata.js';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export { x509 };
