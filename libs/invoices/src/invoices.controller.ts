import { Controller, Get, Headers, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, type Principal } from '@app/auth';
import { ApiIfNoneMatch, ApiProblems, ApiUuidParam, headerRefs, UuidParam } from '@app/core';
import { InvoicePendingResponse } from './dto/invoice-pending.response';
import { invoiceETag, matchesIfNoneMatch } from './invoice-etag';
import { InvoicesService } from './invoices.service';

/** Seconds a client should wait before asking again for an invoice being made (a render takes well under that). */
export const INVOICE_RETRY_AFTER_SECONDS = 2;

const ETAG_HEADER = {
  description: "The invoice's SHA-256 (an invoice never changes): send it as `If-None-Match` for a 304",
  schema: { type: 'string', maxLength: 66, pattern: '^"[0-9a-f]{64}"$', example: `"${'0'.repeat(64)}"` },
} as const;

@ApiTags('invoices')
@Controller({ path: 'orders', version: '1' })
export class InvoicesController {
  constructor(private readonly invoices: InvoicesService) {}

  @Get(':id/invoice')
  @ApiOperation({
    operationId: 'getOrderInvoice',
    summary: "An order's invoice (PDF)",
    description:
      'The invoice of a paid order, made once in the background after the payment (an order cancelled after its ' +
      "payment keeps its invoice). 202 with `Retry-After` while it is being made. The order's customer or an admin " +
      "only: another user's order answers 404, as a missing one does; so does an order that was never paid " +
      '(pending, or cancelled before payment).',
  })
  @ApiUuidParam('id', 'The order id')
  @ApiIfNoneMatch('The ETag held: the same invoice answers 304 without a body', ETAG_HEADER.schema.example)
  @ApiResponse({
    status: 200,
    description:
      'The invoice, `Content-Disposition: inline; filename="invoice-<number>.pdf"`, `Cache-Control: no-store` (as every authenticated answer: it holds personal data)',
    headers: {
      ETag: ETAG_HEADER,
      'Content-Disposition': {
        description: '`inline`, with the file name `invoice-<number>.pdf`',
        schema: {
          type: 'string',
          maxLength: 64,
          pattern: '^inline; filename="invoice-INV-[0-9A-F]{12}\\.pdf"$',
          example: 'inline; filename="invoice-INV-4B3C2D1E0F9A.pdf"',
        },
      },
    },
    content: { 'application/pdf': { schema: { type: 'string', format: 'binary', maxLength: 10 * 1024 * 1024 } } },
  })
  @ApiResponse({
    status: 202,
    description: 'The order is paid and its invoice is being made: ask again after `Retry-After` seconds',
    type: InvoicePendingResponse,
    headers: headerRefs('Retry-After'),
  })
  @ApiResponse({
    status: 304,
    description: '`If-None-Match` names this invoice: the copy held is good (no body)',
    headers: { ETag: ETAG_HEADER },
  })
  @ApiProblems(
    400,
    401,
    {
      status: 404,
      description: "No such order, another user's, or an order that was never paid (it has no invoice).",
    },
    429,
    500,
    503,
  )
  async get(
    @CurrentUser() principal: Principal,
    @UuidParam('id') id: string,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Buffer | InvoicePendingResponse | undefined> {
    const answer = await this.invoices.invoiceFor(principal, id);
    if (answer.state === 'pending') {
      void reply.status(202).header('retry-after', String(INVOICE_RETRY_AFTER_SECONDS));
      return InvoicePendingResponse.of(id);
    }
    const { invoice } = answer;
    const etag = invoiceETag(invoice.sha256);
    void reply.header('etag', etag);
    if (matchesIfNoneMatch(ifNoneMatch, etag)) {
      void reply.status(304);
      return undefined;
    }
    void reply
      .header('content-type', 'application/pdf')
      .header('content-disposition', `inline; filename="invoice-${invoice.number}.pdf"`);
    return invoice.pdf;
  }
}
