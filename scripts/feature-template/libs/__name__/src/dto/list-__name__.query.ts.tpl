import { PaginationQueryDto } from '@app/core';

/**
 * `?limit=&cursor=`: the caller's own __title__ (admins: every owner's), newest first. Add filters here as
 * properties (`@Omittable()`, class-validator, `@ApiProperty`), each with an index for its list order.
 */
export class List__Name__Query extends PaginationQueryDto {}
