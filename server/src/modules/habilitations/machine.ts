import type { RequestState, Transition } from '@patrimoine/contracts/habilitations';

/** Who the caller is to a request. */
export interface Standing {
  applicant: boolean;
  /** The account a pre-filled draft is meant for. */
  intended: boolean;
  instructor: boolean;
}

export interface TransitionRule {
  from: readonly RequestState[];
  /** Target state; `reopening` requests may go elsewhere (see `target`). */
  to: RequestState;
  by: 'applicant' | 'instructor' | 'intended';
  /** A reason is required. */
  needsMessage?: boolean;
  /** Only for a reopened (validated, being updated) request. */
  reopeningOnly?: boolean;
  /** Not for a reopened request. */
  notReopening?: boolean;
}

/** DataPass's state machine (app/models/authorization_request.rb), plus `claim`. */
export const RULES: Record<Transition, TransitionRule> = {
  submit: { from: ['draft', 'changes_requested'], to: 'submitted', by: 'applicant' },
  request_changes: { from: ['submitted'], to: 'changes_requested', by: 'instructor', needsMessage: true },
  approve: { from: ['submitted', 'changes_requested'], to: 'validated', by: 'instructor' },
  // Refusing a reopening returns the request to `validated`: the current habilitation stays.
  refuse: { from: ['submitted', 'changes_requested'], to: 'refused', by: 'instructor', needsMessage: true },
  archive: { from: ['draft', 'refused', 'revoked'], to: 'archived', by: 'applicant', notReopening: true },
  reopen: { from: ['validated'], to: 'draft', by: 'applicant' },
  cancel_reopening: { from: ['draft', 'changes_requested', 'submitted'], to: 'validated', by: 'applicant', reopeningOnly: true },
  revoke: { from: ['validated'], to: 'revoked', by: 'instructor', needsMessage: true },
  claim: { from: ['draft'], to: 'draft', by: 'intended' },
};

export function target(t: Transition, reopening: boolean): RequestState {
  if (t === 'refuse' && reopening) return 'validated';
  return RULES[t].to;
}

/** Transitions `who` may make on a request in `state`. */
export function allowedTransitions(state: RequestState, reopening: boolean, who: Standing, hasApplicant: boolean): Transition[] {
  return (Object.keys(RULES) as Transition[]).filter((t) => {
    const r = RULES[t];
    if (!r.from.includes(state)) return false;
    if (r.reopeningOnly && !reopening) return false;
    if (r.notReopening && reopening) return false;
    if (t === 'claim') return !hasApplicant && who.intended;
    if (r.by === 'applicant') return who.applicant && hasApplicant;
    if (r.by === 'instructor') return who.instructor;
    return false;
  });
}
