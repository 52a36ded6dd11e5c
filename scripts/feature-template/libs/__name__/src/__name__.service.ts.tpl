import { Injectable } from '@nestjs/common';
import type { Principal } from '@app/auth';
import { CursorCodec, type Page, preconditionFailed, ProblemException, ProblemType, toPage } from '@app/core';
import { TransactionHost } from '@app/database';
import type { __Singular__Row } from './__name__.schema';
import { type __Singular__Access, __Name__Repository } from './__name__.repository';
import type { Create__Singular__Dto } from './dto/create-__singular__.dto';
import type { List__Name__Query } from './dto/list-__name__.query';
import type { Update__Singular__Dto } from './dto/update-__singular__.dto';

const notFound = () =>
  new ProblemException({ status: 404, type: ProblemType.notFound, detail: 'No such __singularTitle__' });
const accessOf = (principal: Principal): __Singular__Access => ({
  userId: principal.id,
  isAdmin: principal.role === 'admin',
});

/** __Title__: the caller's own (admins: every owner's); another user's answers 404, as a missing one does. */
@Injectable()
export class __Name__Service {
  constructor(
    private readonly txHost: TransactionHost,
    private readonly __nameCamel__: __Name__Repository,
    private readonly cursors: CursorCodec,
  ) {}

  create(principal: Principal, dto: Create__Singular__Dto): Promise<__Singular__Row> {
    return this.txHost.withTransaction(() =>
      this.__nameCamel__.insert({ ownerId: principal.id, name: dto.name, note: dto.note ?? '' }),
    );
  }

  async get(principal: Principal, id: string): Promise<__Singular__Row> {
    const found = await this.__nameCamel__.find(id, accessOf(principal));
    if (!found) throw notFound();
    return found;
  }

  async list(principal: Principal, query: List__Name__Query): Promise<Page<__Singular__Row>> {
    const access = accessOf(principal);
    // A cursor is only good for the list it came from: the caller's own, or an admin's view of all.
    const scope = `__name__?owner=${access.isAdmin ? '*' : access.userId}`;
    const limit = query.limit ?? 20;
    const after = query.cursor ? this.cursors.decode(query.cursor, scope) : undefined;
    const rows = await this.__nameCamel__.list(access, { after, limit });
    return toPage(rows, limit, (row) => ({ createdAt: row.createdAt, id: row.id }), this.cursors, scope);
  }

  /** Changes a __singularTitle__ if it is still at `expectedVersion` (412 otherwise, 404 if the caller cannot see it). */
  async update(
    principal: Principal,
    id: string,
    dto: Update__Singular__Dto,
    expectedVersion: number | undefined,
  ): Promise<__Singular__Row> {
    const access = accessOf(principal);
    if (Object.values(dto).every((value) => value === undefined)) {
      // Nothing to change: no new version, but the precondition still holds or fails.
      const current = await this.get(principal, id);
      if (expectedVersion !== undefined && current.version !== expectedVersion) throw preconditionFailed();
      return current;
    }
    return this.txHost.withTransaction(async () => {
      const updated = await this.__nameCamel__.update(id, access, { name: dto.name, note: dto.note }, expectedVersion);
      if (!updated) throw await this.whyNot(id, access);
      return updated;
    });
  }

  /** Deletes a __singularTitle__ (at `expectedVersion` when given: 412 otherwise; 404 if the caller cannot see it). */
  async remove(principal: Principal, id: string, expectedVersion: number | undefined): Promise<void> {
    const access = accessOf(principal);
    await this.txHost.withTransaction(async () => {
      const deleted = await this.__nameCamel__.delete(id, access, expectedVersion);
      if (!deleted) throw await this.whyNot(id, access);
    });
  }

  /** The conditional statement matched nothing: not there (or not the caller's) → 404, else a stale version → 412. */
  private async whyNot(id: string, access: __Singular__Access): Promise<ProblemException> {
    return (await this.__nameCamel__.find(id, access)) ? preconditionFailed() : notFound();
  }
}
