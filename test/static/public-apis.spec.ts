import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { MODULE_METADATA } from '@nestjs/common/constants';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as catalog from '@app/catalog';
import * as invoices from '@app/invoices';
import * as orders from '@app/orders';
import * as reviews from '@app/reviews';
import * as users from '@app/users';

/**
 * Small public feature APIs (issue 12, docs/extending.md "Public APIs of the features"): a feature exports
 * what its neighbours may ask (a query service or a port), never a whole service with its commands, and never
 * its repository.
 *
 * The rule covers the FEATURE libs only: users, catalog, orders, reviews, invoices (a new feature is added to FEATURES). Platform
 * libs (database, redis, cache, auth, core, idempotency) and health export infrastructure services on purpose
 * (TransactionRunner, RedisConnection, ResponseCache, AccessTokenService, IdempotencyService…), which is what
 * they are for.
 */
const FEATURES = { users, catalog, orders, reviews, invoices } as const;

/**
 * Exports that break the naming rule on purpose, each with its reason: `lib:Name`. Empty: keep it so, or say
 * here why one must stay.
 */
const ALLOWED: ReadonlySet<string> = new Set<string>([]);

const root = resolve(__dirname, '..', '..');

/** The classes a Nest module exports (its `exports` metadata), by name; a provider object by its token. */
function moduleExports(module: object): string[] {
  const exported = (Reflect.getMetadata(MODULE_METADATA.EXPORTS, module) ?? []) as unknown[];
  return exported.map((entry) => {
    if (typeof entry === 'function') return entry.name;
    if (typeof entry === 'object' && entry !== null && 'provide' in entry) {
      const token = (entry as { provide: unknown }).provide;
      return typeof token === 'function' ? token.name : String(token);
    }
    return String(entry);
  });
}

/** Every name `libs/<lib>/src/index.ts` exports, types included (which runtime imports cannot see). */
function indexExports(lib: string): string[] {
  const path = resolve(root, 'libs', lib, 'src', 'index.ts');
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest);
  const names: string[] = [];
  for (const statement of source.statements) {
    if (ts.isExportDeclaration(statement)) {
      if (!statement.exportClause)
        names.push('*'); // `export * from`: refused below, the surface must be listed
      else if (ts.isNamedExports(statement.exportClause)) {
        names.push(...statement.exportClause.elements.map((element) => element.name.text));
      }
    } else if (
      ts.canHaveModifiers(statement) &&
      ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)
    ) {
      const name = (statement as { name?: ts.Identifier }).name;
      if (name) names.push(name.text);
    }
  }
  return names;
}

const moduleOf = (lib: keyof typeof FEATURES): object => {
  const entry = Object.entries(FEATURES[lib]).find(([name]) => name.endsWith('Module'));
  if (!entry) throw new Error(`@app/${lib} exports no module`);
  return entry[1] as object;
};

const forbidden = (lib: string, names: readonly string[], pattern: RegExp): string[] =>
  names.filter((name) => pattern.test(name) && !ALLOWED.has(`${lib}:${name}`));

describe('public APIs of the feature libs', () => {
  for (const lib of Object.keys(FEATURES) as Array<keyof typeof FEATURES>) {
    describe(`@app/${lib}`, () => {
      it('its module exports no *Service or *Repository (a query service or a port instead)', () => {
        const exported = moduleExports(moduleOf(lib));
        expect(forbidden(lib, exported, /(Service|Repository)$/)).toEqual([]);
      });

      it('its index.ts exports no *Service or *Repository, and lists its exports (no `export *`)', () => {
        const names = indexExports(lib);
        expect(names.length).toBeGreaterThan(0);
        expect(forbidden(lib, names, /(Service|Repository)$|^\*$/)).toEqual([]);
      });
    });
  }

  it('the catalog lends its stock port and a product query, orders their history query, nothing more', () => {
    expect(moduleExports(moduleOf('catalog'))).toEqual(['CatalogStock', 'CatalogProducts']);
    expect(moduleExports(moduleOf('orders'))).toEqual(['OrderHistory']);
    expect(moduleExports(moduleOf('users'))).toEqual(['PrincipalStore', 'UserDirectory']);
    expect(moduleExports(moduleOf('reviews'))).toEqual([]);
    // Invoices lend nothing to features; the worker imports the issuing module for its job.
    expect(moduleExports(invoices.InvoicesModule)).toEqual([]);
    expect(moduleExports(invoices.InvoiceIssuingModule)).toEqual(['InvoiceIssuer']);
  });

  it('catches what it is for: a module exporting a whole service, an index exporting a repository', () => {
    class ReviewsService {}
    class ReviewsModule {}
    Reflect.defineMetadata(
      MODULE_METADATA.EXPORTS,
      [ReviewsService, { provide: ReviewsService, useValue: {} }],
      ReviewsModule,
    );
    expect(forbidden('reviews', moduleExports(ReviewsModule), /(Service|Repository)$/)).toEqual([
      'ReviewsService',
      'ReviewsService',
    ]);
    expect(
      forbidden('reviews', ['ReviewsModule', 'ReviewsRepository', 'ReviewQueries'], /(Service|Repository)$/),
    ).toEqual(['ReviewsRepository']);
  });
});
