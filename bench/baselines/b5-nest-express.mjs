// B5: a bare Nest app on the Express adapter (Nest's default platform) answering S1, decorators applied by
// hand since this file is plain JavaScript. What "a hello-world Nest app" costs per request.
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { liveBody, requireEnv } from './common.mjs';

class HealthController {
  live() {
    return liveBody;
  }
}
Get('live')(HealthController.prototype, 'live', Object.getOwnPropertyDescriptor(HealthController.prototype, 'live'));
Controller('health')(HealthController);

class AppModule {}
Module({ controllers: [HealthController] })(AppModule);

const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
await app.listen(Number(requireEnv('PORT')), process.env.HOST || '127.0.0.1');
