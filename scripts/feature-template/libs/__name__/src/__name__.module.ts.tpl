import { Module } from '@nestjs/common';
import { __Name__Controller } from './__name__.controller';
import { __Name__Repository } from './__name__.repository';
import { __Name__Service } from './__name__.service';

/**
 * __Title__, each owned by the user who created it (admins see them all). Exports nothing yet: when a neighbour
 * needs something, add a narrow query service or port (docs/extending.md, "Public APIs of the features").
 */
@Module({
  controllers: [__Name__Controller],
  providers: [__Name__Repository, __Name__Service],
})
export class __Name__Module {}
