export { __Name__Module } from './__name__.module';
export { __Singular__Response } from './dto/__singular__.response';
