import { z } from 'zod';
import { field } from '../../web/forms';
import { ROLES } from './roles';

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
  password: z.string().min(10, { message: 'validation.passwordLength' }).max(200),
  ...userFields,
});

export const updateUserSchema = z.object(userFields);

export type CreateUserInput = z.infer<typeof createUserSchema>;
export type UpdateUserInput = z.infer<typeof updateUserSchema>;
