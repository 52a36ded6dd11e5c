import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import {
  ApiExtension,
  ApiExtraModels,
  ApiHeader,
  ApiOperation,
  ApiResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentUser, type Principal } from '@app/auth';
import { ApiProblems, LastEventId } from '@app/core';
import { OrderEventMessage } from './dto/order-event.message';
import { OrderEventsQuery } from './dto/order-events.query';
import { OrderEventsService } from './order-events.service';

/** The OpenAPI extension marking an answer that does not end by itself (contract tools read its head only). */
const STREAMING_EXTENSION = 'x-streaming';

const EXAMPLE =
  'retry: 3000\n\n' +
  'id: 0b6f4a52-9f0e-4c47-9a55-2f3c1d7e8a90\nevent: order.placed\n' +
  'data: {"orderId":"4b3c2d1e-0f9a-4b8c-9d7e-6f5a4b3c2d1e","userId":"9d7e6f5a-4b3c-4d1e-8f9a-0b8c9d7e6f5a",' +
  '"status":"pending","totalCents":2598,"currency":"EUR","occurredAt":"2026-11-29T10:00:00.000Z"}\n\n' +
  ': heartbeat\n\n';

@ApiTags('orders')
@Controller({ path: 'orders', version: '1' })
export class OrderEventsController {
  constructor(private readonly events: OrderEventsService) {}

  @Get('events')
  @ApiOperation({
    operationId: 'streamOrderEvents',
    summary: "Live updates of the caller's orders (server-sent events)",
    description:
      'A `text/event-stream` that stays open: one message per order event, `id:` the event id, `event:` its name ' +
      '(`order.placed`, `order.status-changed`, `order.cancelled`), `data:` one line of JSON (`OrderEventMessage`). ' +
      "Callers get their own orders' events; admins every order's, or one user's with `userId`. Any replica serves " +
      'it, whichever replica made the change. A comment line (`: heartbeat`) comes every 15 s, `retry:` says when ' +
      'to reconnect. Reconnect with `Last-Event-ID` (browsers do) to get what was recorded after that event first; ' +
      'when it cannot be replayed any more, an `event: gap` message says so (re-read `GET /v1/orders`). The stream ' +
      'ends when the access token expires and when the server shuts down: reconnect then. At most ' +
      '`SSE_MAX_STREAMS_PER_USER` streams per user (429 beyond). Needs the `Authorization` header like every route ' +
      '(a fetch-based event-source client; the browser `EventSource` cannot send it).',
  })
  @ApiExtension(STREAMING_EXTENSION, true)
  @ApiExtraModels(OrderEventMessage)
  @ApiHeader({
    name: 'Last-Event-ID',
    required: false,
    description: 'The `id:` of the last message received: the stream starts with what was recorded after it.',
    schema: { type: 'string', format: 'uuid', maxLength: 36 },
  })
  @ApiResponse({
    status: 200,
    description: `The event stream. Each \`data:\` line is an [OrderEventMessage](${getSchemaPath(OrderEventMessage)}).`,
    content: {
      'text/event-stream': {
        schema: { type: 'string' },
        example: EXAMPLE,
        // OpenAPI 3.2's `itemSchema` (each message's data), as an extension until the document is 3.2.
        ...{ 'x-item-schema': { $ref: getSchemaPath(OrderEventMessage) } },
      },
    },
  })
  @ApiProblems(
    { status: 400, description: 'Also a `Last-Event-ID` that is not an event id.' },
    401,
    {
      status: 429,
      description: 'Also: the caller already holds `SSE_MAX_STREAMS_PER_USER` open streams (`too-many-streams`).',
    },
    500,
    { status: 503, description: 'Also: this replica holds as many streams as it may, or is shutting down.' },
  )
  stream(
    @CurrentUser() principal: Principal,
    @Query() query: OrderEventsQuery,
    @LastEventId() lastEventId: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): void {
    this.events.open(principal, query.userId, lastEventId, request, reply);
  }
}
