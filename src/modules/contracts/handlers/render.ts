import type { Request, Response } from 'express';
import { translateProblems } from '../../../web/problems';
import { submitForm } from '../../../web/submit';
import { formValues, type FormValues } from '../../../web/forms';
import { MAX_MILESTONE_ROWS, rowCount } from '../terms';

/** Problems (i18n keys with values) -> messages in the user's language. */
export const translate = translateProblems;

/**
 * The schedule form's post, shared by the draft and the amendment: "add a row" re-shows the form with
 * one more blank row and writes nothing; otherwise `run` writes, and the contract page follows with a
 * flash, or the same form comes back with 422, the problems and what was typed.
 */
export async function submitScheduleForm(
  req: Request,
  res: Response,
  args: {
    contractId: number;
    show: (status: number, values: FormValues, errors: Record<string, string>) => Promise<void>;
    run: () => Promise<unknown>;
    doneKey: string;
  },
): Promise<void> {
  const values = formValues(req.body);
  if (values.action === 'addRow') {
    values.rows = String(Math.min(MAX_MILESTONE_ROWS, rowCount(values) + 1));
    return args.show(200, values, {});
  }
  await submitForm(req, res, {
    again: ({ status, errors }) => args.show(status, values, errors),
    run: async () => {
      await args.run();
      return { redirect: `/contracts/${args.contractId}`, flash: req.t(args.doneKey) };
    },
  });
}
