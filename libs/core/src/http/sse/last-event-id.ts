import { createParamDecorator, type ExecutionContext, Injectable, type PipeTransform } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { isUUID } from 'class-validator';
import { ProblemException } from '../../problem/problem-details';
import { ProblemType } from '../../problem/problem-types';

/** `Last-Event-ID`: what an event stream's client sends back when it reconnects, the last `id:` it got. */
export const LAST_EVENT_ID_HEADER = 'last-event-id';

/**
 * The header as an event id (a UUID, lower case), or undefined when absent or empty (a client whose last message
 * reset it); anything else is a 400.
 */
@Injectable()
export class LastEventIdPipe implements PipeTransform<string | undefined, string | undefined> {
  transform(value: string | undefined): string | undefined {
    if (value === undefined || value === '') return undefined;
    if (!isUUID(value)) {
      throw new ProblemException({
        status: 400,
        type: ProblemType.validation,
        detail: '1 field is invalid',
        errors: [{ field: 'Last-Event-ID', message: 'must be the id of an event this stream sent (a UUID)' }],
      });
    }
    return value.toLowerCase();
  }
}

/** `@LastEventId()`: the request's `Last-Event-ID`, checked by {@link LastEventIdPipe}. */
export const LastEventId = (): ParameterDecorator => lastEventIdHeader(undefined, LastEventIdPipe);

const lastEventIdHeader = createParamDecorator((_: unknown, context: ExecutionContext): string | undefined => {
  const value = context.switchToHttp().getRequest<FastifyRequest>().headers[LAST_EVENT_ID_HEADER];
  return Array.isArray(value) ? value[0] : value;
});
