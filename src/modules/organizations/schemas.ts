import { z } from 'zod';
import type { TFunction } from 'i18next';
import { field, formValues, parseForm, type FormResult } from '../../web/forms';
import { createUserSchema } from '../accounts';
import { checkCreditCode } from '../../shared/credit-code';

export const DOCUMENT_KINDS = ['registration_certificate', 'annual_inspection', 'charter', 'other'] as const;
/** 社会团体 / 社会服务机构（民办非企业单位）/ 基金会 */
export const ORGANIZATION_TYPES = ['social_group', 'social_service_agency', 'foundation'] as const;
export const ORGANIZATION_STATUSES = ['pending', 'approved', 'rejected', 'suspended'] as const;
export type OrganizationType = (typeof ORGANIZATION_TYPES)[number];
export type OrganizationStatus = (typeof ORGANIZATION_STATUSES)[number];

export const documentSchema = z.object({
  kind: z.enum(DOCUMENT_KINDS, { message: 'validation.choose' }),
});

/** One checkbox arrives as a string, several as a list; each must be an id. */
const categoryIds = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v, ctx) => {
    const list = v === undefined ? [] : Array.isArray(v) ? v : [v];
    if (list.some((s) => !/^\d{1,9}$/.test(s))) {
      ctx.addIssue({ code: 'custom', message: 'validation.choose' });
      return z.NEVER;
    }
    if (list.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'validation.required' });
      return z.NEVER;
    }
    return [...new Set(list.map(Number))];
  });

const isCalendarDate = (v: string) => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
};

/** The profile fields, shared by registration and the edit form. Messages are i18n keys. */
const profileFields = {
  name: field.text(200),
  orgType: z.enum(ORGANIZATION_TYPES, { message: 'validation.choose' }),
  legalRepresentative: field.text(100),
  contactPerson: field.text(100),
  contactPhone: z
    .string()
    .trim()
    .min(1)
    .max(30)
    .regex(/^\+?[0-9][0-9 ()-]{5,28}$/, { message: 'validation.format' })
    .describe('validation.formats.phone'),
  contactEmail: z
    .string()
    .trim()
    .max(200)
    .describe('validation.formats.email')
    .optional()
    .transform((v) => (v ? v : null))
    .refine((v) => v === null || /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v), { message: 'validation.format' }),
  foundedOn: z
    .string()
    .trim()
    .min(1)
    .describe('validation.formats.date')
    .refine(isCalendarDate, { message: 'validation.format' }),
  certifiedSocialWorkers: z
    .string()
    .trim()
    .min(1)
    .regex(/^\d{1,6}$/, { message: 'validation.format' })
    .describe('validation.formats.count')
    .transform(Number),
  categoryIds,
};

export const profileSchema = z.object(profileFields);
export type ProfileInput = z.infer<typeof profileSchema>;

export const registrationSchema = z.object({
  ...profileFields,
  // Checked against GB 32100-2015 by parseRegistration, which can name the expected character.
  creditCode: z.string().trim().min(1).max(40),
  // At most 59 characters: the account's name gets a 5-character suffix (see registerOrganization).
  username: z
    .string()
    .trim()
    .min(3, { message: 'validation.username' })
    .max(59)
    .regex(/^[A-Za-z0-9._-]+$/, { message: 'validation.username' })
    .transform((v) => v.toLowerCase()),
  displayName: field.text(100),
  password: createUserSchema.shape.password,
});
export type RegistrationInput = z.infer<typeof registrationSchema>;

/** The message for a credit code that fails GB 32100-2015, in the user's language; null when it is valid. */
export function creditCodeMessage(input: string, t: TFunction): string | null {
  const result = checkCreditCode(input);
  if (result.ok) return null;
  const code = input.trim().toUpperCase();
  switch (result.problem) {
    case 'length':
      return t('organizations.creditCodeProblem.length', { given: code.length });
    case 'characters': {
      const bad = [...code].find((c) => !/[0-9ABCDEFGHJKLMNPQRTUWXY]/.test(c)) ?? '';
      return t('organizations.creditCodeProblem.characters', { character: bad });
    }
    default:
      return t('organizations.creditCodeProblem.checkCharacter', { expected: result.expected, given: code[17] });
  }
}

/** Checks the schema cannot state with a message of its own: the founding date is not after today
 *  (Shanghai), and the credit code names what is wrong with it. Shown with the schema's errors at once. */
function extraErrors(body: unknown, t: TFunction, today: string, withCreditCode: boolean): Record<string, string> {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const errors: Record<string, string> = {};
  if (typeof b.foundedOn === 'string' && isCalendarDate(b.foundedOn.trim()) && b.foundedOn.trim() > today) {
    errors.foundedOn = t('organizations.validation.foundedInFuture');
  }
  if (withCreditCode && typeof b.creditCode === 'string' && b.creditCode.trim() && b.creditCode.length <= 40) {
    const message = creditCodeMessage(b.creditCode, t);
    if (message) errors.creditCode = message;
  }
  return errors;
}

function combine<T>(form: FormResult<T>, extra: Record<string, string>, body: unknown): FormResult<T> {
  if (form.ok && !Object.keys(extra).length) return form;
  return {
    ok: false,
    errors: { ...extra, ...(form.ok ? {} : form.errors) },
    values: form.ok ? formValues(body) : form.values,
  };
}

/** The registration form: the schema's messages plus the checks above; the code comes back normalised. */
export function parseRegistration(body: unknown, t: TFunction, today: string): FormResult<RegistrationInput> {
  const form = combine(parseForm(registrationSchema, body, t), extraErrors(body, t, today, true), body);
  if (!form.ok) return form;
  const checked = checkCreditCode(form.data.creditCode);
  return { ok: true, data: { ...form.data, creditCode: checked.ok ? checked.code : form.data.creditCode } };
}

export function parseProfile(body: unknown, t: TFunction, today: string): FormResult<ProfileInput> {
  return combine(parseForm(profileSchema, body, t), extraErrors(body, t, today, false), body);
}

/** A review decision's reason: required to reject or suspend, optional to approve or reinstate. */
export const reasonRequiredSchema = z.object({ reason: z.string().trim().min(1).max(1000) });
export const reasonOptionalSchema = z.object({ reason: field.optionalText(1000) });
