import { type ArgumentMetadata, ValidationPipe } from '@nestjs/common';
import { findJsonViolation, type JsonLimits } from '../http/json-body/json-limits';
import { jsonViolationProblem } from '../http/json-body/json-violation.problem';
import { validationProblem } from './validation-problem';

/**
 * The global pipe: strips nothing silently (unknown properties are a 400), converts nothing implicitly
 * (`"5"` is not a number unless the DTO says how to transform it), and reports invalid fields (a bounded list).
 * Query strings get the same shape limits as JSON bodies before they are mapped (bodies were checked when
 * parsed): thousands of `?k=` keys would otherwise cost class-transformer quadratic time.
 */
class ShapeCheckedValidationPipe extends ValidationPipe {
  constructor(private readonly limits: JsonLimits) {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      transform: true,
      transformOptions: { enableImplicitConversion: false },
      validationError: { target: false, value: false },
      stopAtFirstError: false,
      exceptionFactory: (errors) => validationProblem(errors),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'query') {
      const violation = findJsonViolation(value, this.limits);
      if (violation) throw jsonViolationProblem(violation, 'query');
    }
    return super.transform(value, metadata);
  }
}

export const createValidationPipe = (limits: JsonLimits): ValidationPipe => new ShapeCheckedValidationPipe(limits);
