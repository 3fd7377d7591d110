// The federation protocols this server speaks, in the order the core calls them. The one place
// that names them: the job registry and the app take the list from here.
import type { FederationProtocol } from './core.ts';
import { activityPubProtocol } from './activitypub/protocol.ts';
import { ombProtocol } from './omb/protocol.ts';

/** Every protocol, registered with the core by being listed here. */
export const federationProtocols: readonly FederationProtocol[] = [ombProtocol, activityPubProtocol];
