/**
 * Key builders: every key is a string with typed prefixes. Tenant data keys always start with the
 * tenant (pooled table) — silo tables use the same shape so repositories have one code path.
 */
export const k = {
  tenant: (t: string) => ({ PK: `TENANT#${t}`, SK: 'META' }),
  mode: (m: string) => ({ PK: 'TENANT#t_system', SK: `MODE#${m}` }),
  project: (t: string, p: string) => ({ PK: `TENANT#${t}`, SK: `PROJECT#${p}` }),
  member: (t: string, u: string) => ({ PK: `TENANT#${t}`, SK: `MEMBER#${u}` }),
  routing: (t: string, env: string, kind: string) => ({ PK: `TENANT#${t}`, SK: `ROUTING#${env}#${kind}` }),
  apiKey: (keyId: string) => ({ PK: `APIKEY#${keyId}`, SK: 'META' }),
  apiKeyIndex: (t: string) => `TENANT#${t}#APIKEYS`,
  revoked: (jti: string) => ({ PK: `REVOKED#${jti}`, SK: 'META' }),
  rate: (t: string, principal: string, window: number) => ({ PK: `RATE#${t}#${principal}`, SK: `W#${window}` }),
  idem: (t: string, principal: string, routeId: string, key: string) => ({
    PK: `IDEM#${t}#${principal}`,
    SK: `${routeId}#${key}`,
  }),
  config: (name: string) => ({ PK: 'CONFIG', SK: name }),
  auditPk: (t: string) => `TENANT#${t}#AUDIT`,
  portfolioPk: (t: string, p: string) => `TENANT#${t}#PROJECT#${p}#PORTFOLIOS`,
  portfolioSk: (id: string) => `PORTFOLIO#${id}`,
};

export const BEGINS = {
  project: 'PROJECT#',
  member: 'MEMBER#',
  mode: 'MODE#',
  portfolio: 'PORTFOLIO#',
};
