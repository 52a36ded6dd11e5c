import { ValidationPipe } from '@nestjs/common';
import { validationProblem } from './validation-problem';

/**
 * The global pipe: strips nothing silently (unknown properties are a 400), converts nothing implicitly
 * (`"5"` is not a number unless the DTO says how to transform it), and reports every invalid field.
 */
export const createValidationPipe = (): ValidationPipe =>
  new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    stopAtFirstError: false,
    exceptionFactory: (errors) => validationProblem(errors),
  });
