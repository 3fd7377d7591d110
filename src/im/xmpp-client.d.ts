// The parts of @xmpp/client (which ships no types) that the chat bot and the tests use.
declare module '@xmpp/client' {
  import type { EventEmitter } from 'node:events';

  export interface Element {
    name: string;
    attrs: Record<string, string | undefined>;
    children: Array<Element | string>;
    is(name: string, xmlns?: string): boolean;
    getChild(name: string, xmlns?: string): Element | undefined;
    getChildText(name: string, xmlns?: string): string | null;
    getText(): string;
    toString(): string;
  }

  export interface JID {
    local: string;
    domain: string;
    resource: string;
    bare(): JID;
    toString(): string;
  }

  /** SASL: authenticate(credentials, mechanism) with one of the mechanisms the server offers. */
  export type Authenticate = (credentials: { username: string; password: string }, mechanism: string) => Promise<void>;
  export type OnAuthenticate = (authenticate: Authenticate, mechanisms: string[], fast: unknown, entity: Client) => Promise<void>;

  export interface StreamManagement extends EventEmitter {
    enabled: boolean;
    id: string;
    /** Milliseconds the library waits after a stanza before asking the server for an acknowledgement. */
    requestAckDebounce: number;
  }

  export interface Reconnect extends EventEmitter {
    delay: number;
    stop(): void;
    start(): void;
  }

  export interface Client extends EventEmitter {
    status: string;
    jid: JID | null;
    reconnect: Reconnect;
    streamManagement: StreamManagement;
    isSecure(): boolean;
    start(): Promise<JID>;
    stop(): Promise<unknown>;
    send(element: Element): Promise<void>;
  }

  export type ClientOptions = {
    service: string;
    domain?: string;
    resource?: string;
    username?: string;
    password?: string;
    credentials?: OnAuthenticate;
    timeout?: number;
  };

  export function client(options: ClientOptions): Client;
  export function xml(name: string, attrs?: Record<string, string | undefined> | null, ...children: Array<Element | string>): Element;
  export function jid(address: string): JID;
}
