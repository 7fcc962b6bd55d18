// A per-provider in-memory adapter. oidc-provider's built-in one keeps a module-global LRU of 1000
// entries shared by every Provider in the process, which would let parallel test IdPs see each
// other's clients and evict sessions under load. This one is a plain Map per IdP instance, and it
// is also how registerWebClient adds a client at run time: a `Client` record stored here is what
// `provider.Client.find()` falls back to after the static clients.
import type { Adapter, AdapterFactory, AdapterPayload } from 'oidc-provider';

interface Entry {
  payload: AdapterPayload;
  expiresAt: number;
}

const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);

export class MemoryStore {
  readonly entries = new Map<string, Entry>();
  readonly index = new Map<string, string>(); // sessionUid:<uid> / userCode:<code> -> entry key
  readonly grants = new Map<string, Set<string>>(); // grantId -> entry keys
  writes = 0;

  get(key: string): AdapterPayload | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.payload;
  }

  /** Drops expired entries and their index rows (called now and then from upsert). */
  sweep(): void {
    const now = Date.now();
    for (const [key, e] of this.entries) if (e.expiresAt <= now) this.entries.delete(key);
    for (const [alias, key] of this.index) if (!this.entries.has(key)) this.index.delete(alias);
    for (const [grantId, members] of this.grants) {
      for (const key of members) if (!this.entries.has(key)) members.delete(key);
      if (members.size === 0) this.grants.delete(grantId);
    }
  }

  factory(): AdapterFactory {
    return (model: string) => new MemoryAdapter(model, this);
  }
}

class MemoryAdapter implements Adapter {
  constructor(
    private readonly model: string,
    private readonly store: MemoryStore,
  ) {}

  private key(id: string): string {
    return `${this.model}:${id}`;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const key = this.key(id);
    if (++this.store.writes % 1000 === 0) this.store.sweep();
    const expiresAt = typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : Infinity;
    this.store.entries.set(key, { payload, expiresAt });
    if (this.model === 'Session' && payload.uid) this.store.index.set(`sessionUid:${payload.uid}`, key);
    if (payload.userCode) this.store.index.set(`userCode:${payload.userCode}`, key);
    if (GRANTABLE.has(this.model) && payload.grantId) {
      const members = this.store.grants.get(payload.grantId) ?? new Set<string>();
      members.add(key);
      this.store.grants.set(payload.grantId, members);
    }
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.store.get(this.key(id));
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const key = this.store.index.get(`sessionUid:${uid}`);
    return key === undefined ? undefined : this.store.get(key);
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    const key = this.store.index.get(`userCode:${userCode}`);
    return key === undefined ? undefined : this.store.get(key);
  }

  async consume(id: string): Promise<void> {
    const payload = this.store.get(this.key(id));
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id: string): Promise<void> {
    this.store.entries.delete(this.key(id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    for (const key of this.store.grants.get(grantId) ?? []) this.store.entries.delete(key);
    this.store.grants.delete(grantId);
  }
}
