import { Transform } from 'class-transformer';

const blank = (value: unknown): boolean => value === undefined || value === null || value === '';

/** Environment variables are strings: parse an integer, leaving garbage as NaN so validation names it. */
export const ToInt = (): PropertyDecorator =>
  Transform(({ value }) => {
    if (blank(value)) return undefined;
    if (typeof value === 'number') return value;
    const text = String(value).trim();
    return /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
  });

export const ToBoolean = (): PropertyDecorator =>
  Transform(({ value }) => {
    if (blank(value)) return undefined;
    if (typeof value === 'boolean') return value;
    const text = String(value).trim().toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(text)) return true;
    if (['false', '0', 'no', 'off'].includes(text)) return false;
    return text; // not a boolean: IsBoolean reports it
  });

export const ToList = (): PropertyDecorator =>
  Transform(({ value }) => {
    if (blank(value)) return undefined;
    if (Array.isArray(value)) return value;
    return String(value)
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0);
  });

export const Trimmed = (): PropertyDecorator =>
  Transform(({ value }) => (blank(value) ? undefined : typeof value === 'string' ? value.trim() : value));
