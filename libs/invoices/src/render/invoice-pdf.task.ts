import PDFDocument from 'pdfkit';
import { day, type InvoiceDocument, money } from './invoice-document';

/*
 * The PDF, drawn in a worker thread of the renderer's pool (piscina), never on the event loop: layout and the
 * deflate of the page stream are CPU work. Loaded by file name from the built output (`dist/…/invoice-pdf.task.js`),
 * so it imports nothing but pdfkit and the plain helpers beside it (no `@app/*` alias, no Nest).
 */

/** The standard PDF fonts encode Latin-1 only: anything else is drawn as `?` rather than as garbage. */
const latin1 = (text: string): string => text.replace(/[^\x20-\x7e\xa0-\xff]/g, '?');

const LEFT = 50;
const RIGHT = 545;
const COLUMNS = { item: LEFT, quantity: 330, unit: 390, total: 470 } as const;

export default function renderInvoicePdf(invoice: InvoiceDocument): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const issuedAt = new Date(invoice.issuedAt);
    const pdf = new PDFDocument({
      size: 'A4',
      margin: LEFT,
      // Fixed dates: the same invoice renders to the same bytes.
      info: {
        Title: `Invoice ${invoice.number}`,
        Author: latin1(invoice.seller.name),
        Subject: `Order ${invoice.orderId}`,
        CreationDate: issuedAt,
        ModDate: issuedAt,
      },
    });
    const chunks: Buffer[] = [];
    pdf.on('data', (chunk: Buffer) => chunks.push(chunk));
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);

    pdf.font('Helvetica-Bold').fontSize(18).text(latin1(invoice.seller.name), LEFT, 50);
    pdf.font('Helvetica').fontSize(9);
    for (const line of invoice.seller.address) pdf.text(latin1(line));
    pdf.text(`VAT ${latin1(invoice.seller.vatId)}`);

    pdf.font('Helvetica-Bold').fontSize(14).text(`Invoice ${invoice.number}`, LEFT, 150);
    pdf.font('Helvetica').fontSize(10);
    pdf.text(`Date: ${day(invoice.issuedAt)}`);
    pdf.text(`Order: ${invoice.orderId}, placed ${day(invoice.placedAt)}`);
    pdf.moveDown();
    pdf.font('Helvetica-Bold').text('Bill to');
    pdf.font('Helvetica').text(latin1(invoice.customer.name));
    pdf.text(latin1(invoice.customer.email));

    let y = 280;
    const row = (cells: [string, string, string, string], bold = false): void => {
      pdf.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(10);
      pdf.text(cells[0], COLUMNS.item, y, { width: COLUMNS.quantity - COLUMNS.item - 10, lineBreak: false });
      pdf.text(cells[1], COLUMNS.quantity, y, { width: 50, align: 'right' });
      pdf.text(cells[2], COLUMNS.unit, y, { width: 70, align: 'right' });
      pdf.text(cells[3], COLUMNS.total, y, { width: RIGHT - COLUMNS.total, align: 'right' });
      y += 18;
      if (y > 760) {
        pdf.addPage();
        y = 50;
      }
    };
    row(['Item', 'Qty', 'Unit price', 'Amount'], true);
    pdf
      .moveTo(LEFT, y - 4)
      .lineTo(RIGHT, y - 4)
      .stroke();
    for (const line of invoice.lines) {
      row([
        latin1(`${line.name} (${line.sku})`),
        String(line.quantity),
        money(line.unitPriceCents, invoice.currency),
        money(line.lineTotalCents, invoice.currency),
      ]);
    }
    pdf
      .moveTo(LEFT, y - 4)
      .lineTo(RIGHT, y - 4)
      .stroke();
    row(['Total', '', '', money(invoice.totalCents, invoice.currency)], true);
    pdf.end();
  });
}
