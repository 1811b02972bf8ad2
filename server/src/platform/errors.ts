/**
 * Typed domain errors. Services throw them; the HTTP error handler maps them to RFC 9457
 * problem+json. Messages are in French: they are shown to users as they are.
 */
import { fieldLabel } from '@patrimoine/contracts/field-labels';

export interface FieldError {
  field: string;
  message: string;
  /** The field as the forms label it (« Identifiant »), added by the error handler when absent. */
  label?: string;
}

export abstract class DomainError extends Error {
  abstract readonly status: number;
  abstract readonly type: string;
  abstract readonly title: string;
  constructor(
    message: string,
    public readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends DomainError {
  readonly status = 404;
  readonly type = 'not-found';
  readonly title = 'Ressource introuvable';
}

export class ConflictError extends DomainError {
  readonly status = 409;
  readonly type = 'conflict';
  readonly title = 'Conflit';
}

export class ForbiddenError extends DomainError {
  readonly status = 403;
  readonly type = 'forbidden';
  readonly title = 'Accès refusé';
}

export class UnauthorizedError extends DomainError {
  readonly status = 401;
  readonly type = 'unauthorized';
  readonly title = 'Authentification requise';
}

export class TooManyRequestsError extends DomainError {
  readonly status = 429;
  readonly type = 'too-many-requests';
  readonly title = 'Trop de requêtes';
  constructor(
    message: string,
    public readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

export class ValidationError extends DomainError {
  readonly status = 400;
  readonly type = 'validation';
  readonly title = 'Requête invalide';
  constructor(
    message: string,
    public readonly errors: FieldError[] = [],
  ) {
    super(message);
  }
}

/** Shortcut for a single-field validation error. */
export function fieldError(field: string, message: string): ValidationError {
  return new ValidationError(`${fieldLabel(field)} : ${message}`, [{ field, message }]);
}
