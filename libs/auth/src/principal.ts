export const ROLES = ['user', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: set on the request by the authentication guard, read with `@CurrentUser()`. */
export interface Principal {
  id: string;
  role: Role;
  /** The login session (refresh-token family) the access token belongs to. */
  sessionId: string;
  /** When the access token expires (epoch seconds): answers that outlive the request (event streams) end then. */
  expiresAt?: number;
}

/** What authentication needs to know about an account, whoever stores accounts. */
export interface PrincipalRecord {
  id: string;
  role: Role;
  disabled: boolean;
  /** Bumped by logout-all: access tokens carrying an older value are refused. */
  sessionVersion: number;
}

/**
 * The port authentication uses to look accounts up. The users feature implements it and binds it
 * (`{ provide: PrincipalStore, useClass: … }`); the auth platform lib never imports the feature.
 */
export abstract class PrincipalStore {
  /** Reads in the ambient transaction when one is open. */
  abstract findPrincipal(id: string): Promise<PrincipalRecord | undefined>;
}
