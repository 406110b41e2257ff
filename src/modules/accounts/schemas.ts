import { z } from 'zod';
import { field } from '../../web/forms';
import { ROLES } from './roles';
import { newPasswordField } from './password-policy';

export const signInSchema = z.object({
  username: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(200),
});

const idList = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v, ctx) => {
    const list = v === undefined ? [] : Array.isArray(v) ? v : [v];
    if (list.some((s) => !/^\d{1,9}$/.test(s))) {
      ctx.addIssue({ code: 'custom', message: 'validation.choose' });
      return z.NEVER;
    }
    return [...new Set(list.map(Number))];
  });

const userFields = {
  displayName: field.text(100),
  role: z.enum(ROLES, { message: 'validation.choose' }),
  streetOfficeId: field.optionalId(),
  organizationId: field.optionalId(),
  auditStreetOfficeIds: idList,
};

export const createUserSchema = z.object({
  username: z
    .string()
    .trim()
    .min(3, { message: 'validation.username' })
    .max(64)
    .regex(/^[A-Za-z0-9._-]+$/, { message: 'validation.username' })
    .transform((v) => v.toLowerCase()),
  password: newPasswordField(),
  ...userFields,
});

export const updateUserSchema = z.object(userFields);

export const changePasswordSchema = z
  .object({
    currentPassword: z.string().min(1).max(200),
    newPassword: newPasswordField(),
    confirmPassword: z.string().max(200),
  })
  .refine((v) => v.newPassword === v.confirmPassword, {
    path: ['confirmPassword'],
    message: 'validation.passwordMismatch',
  });

/** A TOTP code (six digits) or a recovery code (XXXX-XXXX-XXXX); spaces are forgiven. */
export const secondFactorCodeSchema = z.object({
  code: z
    .string()
    .trim()
    .min(1)
    .max(40)
    .transform((v) => v.replace(/\s/g, '')),
});

export type ChangePasswordInput = z.infer<typeof changePasswordSchema>;
export type CreateUserInput = z.infer<typeof createUserSchema>;
export type UpdateUserInput = z.infer<typeof updateUserSchema>;
