// The part of irc-framework (which ships no types) that server/chat/irc-channel.ts uses.
declare module 'irc-framework' {
  export interface IrcClientOptions {
    host: string;
    port: number;
    nick: string;
    username?: string;
    gecos?: string;
    tls?: boolean;
    rejectUnauthorized?: boolean;
    password?: string;
    account?: { account: string; password: string };
    sasl_disconnect_on_fail?: boolean;
    auto_reconnect?: boolean;
    ping_interval?: number;
    ping_timeout?: number;
    version?: string;
  }
  export class Client {
    constructor(options?: Partial<IrcClientOptions>);
    readonly user: { nick: string };
    connected: boolean;
    connect(options?: IrcClientOptions): void;
    join(channel: string, key?: string): void;
    say(target: string, message: string): void;
    ping(message?: string): void;
    changeNick(nick: string): void;
    quit(message?: string): void;
    caseCompare(a: string, b: string): boolean;
    on(event: 'registered' | 'socket connected', listener: () => void): this;
    on(event: 'close', listener: (hadError: boolean) => void): this;
    on(event: 'socket close', listener: (err?: unknown) => void): this;
    on(event: 'join' | 'part', listener: (e: { nick: string; channel: string }) => void): this;
    on(event: 'kick', listener: (e: { kicked: string; channel: string; message?: string }) => void): this;
    on(event: 'nick in use', listener: (e: { nick: string }) => void): this;
    on(event: 'pong', listener: (e: { message: string }) => void): this;
    on(event: 'sasl failed', listener: (e: { reason: string; message?: string }) => void): this;
    on(event: 'irc error', listener: (e: { error: string; channel?: string; reason?: string }) => void): this;
    removeAllListeners(): this;
  }
}
