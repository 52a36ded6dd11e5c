import { type ArgumentMetadata, Injectable, Param, type PipeTransform } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { ProblemException } from '../problem/problem-details';
import { ProblemType } from '../problem/problem-types';

/** UUIDs compare as text in our code (maps, sets, cache keys): one spelling, lower case, as PostgreSQL prints them. */
export const lowerCaseUuid = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.toLowerCase() : value;

/** A route parameter that must be a UUID; passed on in lower case, so `/products/ABC…` is `/products/abc…`. */
@Injectable()
export class UuidParamPipe implements PipeTransform<string, string> {
  transform(value: string, metadata: ArgumentMetadata): string {
    if (!isUUID(value)) {
      throw new ProblemException({
        status: 400,
        type: ProblemType.validation,
        detail: '1 field is invalid',
        errors: [{ field: metadata.data ?? 'id', message: 'must be a UUID' }],
      });
    }
    return value.toLowerCase();
  }
}

/** `@UuidParam('id')`: the route parameter, checked and lower-cased by {@link UuidParamPipe}. */
export const UuidParam = (name: string): ParameterDecorator => Param(name, UuidParamPipe);
