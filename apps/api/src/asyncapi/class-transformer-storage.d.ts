// class-transformer ships its metadata storage (what `@Type` records) without a declaration at this path.
declare module 'class-transformer/cjs/storage' {
  export { defaultMetadataStorage } from 'class-transformer/types/storage';
}
