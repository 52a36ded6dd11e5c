import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { CatalogSeed } from '@app/catalog';
import { ConfigValidationError, loadConfig } from '@app/core';
import { AppModule } from './app.module';

/** A few products so a newcomer can order right after `npm start`. Re-running adds nothing twice. */
const PRODUCTS = [
  {
    sku: 'MUG-001',
    name: 'Enamel mug',
    description: 'Camp mug, 350 ml',
    priceCents: 1299,
    currency: 'EUR',
    stock: 100,
  },
  {
    sku: 'TEE-001',
    name: 'Logo T-shirt',
    description: 'Organic cotton, unisex',
    priceCents: 2499,
    currency: 'EUR',
    stock: 50,
  },
  { sku: 'CAP-001', name: 'Baseball cap', description: 'One size', priceCents: 1999, currency: 'EUR', stock: 40 },
  {
    sku: 'STK-001',
    name: 'Sticker pack',
    description: 'Ten vinyl stickers',
    priceCents: 499,
    currency: 'EUR',
    stock: 500,
  },
  {
    sku: 'NTB-001',
    name: 'Dot-grid notebook',
    description: 'A5, 120 pages',
    priceCents: 1599,
    currency: 'EUR',
    stock: 0,
  },
];

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: ['error', 'warn'] });
  try {
    const catalog = app.get(CatalogSeed, { strict: false });
    let added = 0;
    for (const product of PRODUCTS) {
      if (await catalog.addProduct(product)) added++;
    }
    process.stdout.write(`seed: ${added} product(s) added, ${PRODUCTS.length - added} already present\n`);
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    error instanceof ConfigValidationError
      ? `${error.message}\n`
      : `Seeding failed: ${String(error instanceof Error ? error.stack : error)}\n`,
  );
  process.exit(1);
});
