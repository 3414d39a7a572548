import type express from 'express';
import type { Request, Response } from 'express';
import type { WebContext } from '../../context';
import { handleForm, render, type PageError } from '../../forms';
import { allowRoles } from '../../roles';
import { STAGES, STAGE_NAMES } from '../../../clocks/stages';
import { longDate } from '../../../core/dates';
import { count } from '../../clockRows';
import { formNumber, formText, withFieldsRenamed, withLineErrors } from './common';

type Extra = { errors?: PageError[]; values?: Record<string, string> };

const UNIT_OPTIONS = [
  { value: 'days', text: 'Days' },
  { value: 'working_days', text: 'Working days' },
];

const LABELS: Record<string, string> = {
  ...Object.fromEntries(STAGES.map((s) => [`${s}-days`, `The target for ${STAGE_NAMES[s].name.toLowerCase()}`])),
  ...Object.fromEntries(STAGES.map((s) => [`${s}-unit`, `The unit for ${STAGE_NAMES[s].name.toLowerCase()}`])),
  dueSoonDays: 'The days left when a stage is due soon',
  bankHolidays: 'Bank holidays',
};

/**
 * A save's errors named by the form's fields: "panel_to_letter-days", not "targets.panel_to_letter.days",
 * and a bank holiday's by the line of the box it was typed on (`lineOf`, from its place in the list).
 */
const inFormFields = <T>(call: () => Promise<T>, lineOf: (index: number) => number): Promise<T> =>
  withFieldsRenamed(call, (e) => {
    const target = /^targets\.(\w+)\.(days|unit)$/.exec(e.field);
    if (target) return { ...e, field: `${target[1]}-${target[2]}` };
    const holiday = /^bankHolidays\.(\d+)\.(\w+)$/.exec(e.field);
    return holiday ? { ...e, field: `bankHolidays.${lineOf(Number(holiday[1]))}.${holiday[2]}` } : e;
  });

/** A line of the bank holidays box: "2027-12-27 Christmas Day (substitute day)". */
function holidayOf(line: string): { date: string; name: string } {
  const match = /^(\S+)\s+(.+)$/.exec(line);
  return match ? { date: match[1]!, name: match[2]! } : { date: line, name: '' };
}

/** The targets each stage of a review is measured against, and the bank holidays: the secretariat's to change. */
export function targetRoutes(router: express.Router, { services }: WebContext) {
  const { stageTargets } = services;

  async function page(req: Request, res: Response, extra: Extra = {}, status = 200) {
    const { versions, current, bankHolidays } = await stageTargets.get();
    render(
      req,
      res,
      'secretariat/admin/stage-targets',
      {
        title: 'Stage targets',
        stages: STAGES.map((stage) => ({
          stage,
          ...STAGE_NAMES[stage],
          daysLabel: `Target for ${STAGE_NAMES[stage].name.toLowerCase()}`,
          unitLegend: `${STAGE_NAMES[stage].name} is counted in`,
          days: extra.values?.[`${stage}-days`] ?? String(current.targets[stage].days),
          unit: extra.values?.[`${stage}-unit`] ?? current.targets[stage].unit,
        })),
        unitOptions: UNIT_OPTIONS,
        dueSoonDays: extra.values?.dueSoonDays ?? String(current.dueSoonDays),
        bankHolidays: extra.values?.bankHolidays ?? bankHolidays.map((h) => `${h.date} ${h.name}`).join('\n'),
        versions: [...versions].reverse().map((v) => ({
          version: v.version,
          from: v.version === 0 ? 'As shipped' : longDate(v.from),
          savedBy: v.savedBy ?? '',
          targets: STAGES.map((s) => count(v.targets[s].days, v.targets[s].unit)),
        })),
        stageNames: STAGES.map((s) => STAGE_NAMES[s].name),
        errors: extra.errors,
        expectedVersion: extra.values?.expectedVersion ?? String(current.version),
        banner:
          req.query.saved && !extra.errors
            ? { success: true, text: `Targets saved as version ${current.version}` }
            : req.query.unchanged && !extra.errors
              ? { success: true, text: 'Nothing was changed: the targets are as they were' }
              : null,
        backLink: { href: '/admin', text: 'Administration' },
      },
      status,
    );
  }

  router.get('/admin/stage-targets', async (req, res) => {
    allowRoles(req, ['secretariat'], 'Only the panel secretariat can change the targets');
    await page(req, res);
  });

  router.post('/admin/stage-targets', async (req, res) => {
    allowRoles(req, ['secretariat'], 'Only the panel secretariat can change the targets');
    const values = Object.fromEntries(
      [...Object.keys(LABELS), 'expectedVersion'].map((k) => [k, formText(req.body[k])]),
    );
    // The box's lines as typed, so an error names the line the user sees, blank lines counted.
    const typed = values.bankHolidays!.split(/\r?\n/);
    const filled = typed.flatMap((line, i) => (line.trim() ? [i] : []));
    const lineTyped = (index: number) => typed[index]?.trim() ?? '';
    await handleForm(
      async () => {
        const { changed } = await withLineErrors(
          () =>
            inFormFields(
              () =>
                stageTargets.save(req.user!, {
                  targets: Object.fromEntries(
                    STAGES.map((s) => [
                      s,
                      { days: formNumber(values[`${s}-days`]) ?? '', unit: values[`${s}-unit`] || undefined },
                    ]),
                  ),
                  dueSoonDays: formNumber(values.dueSoonDays) ?? '',
                  bankHolidays: filled.map((i) => holidayOf(lineTyped(i))),
                  expectedVersion: formNumber(values.expectedVersion) ?? undefined,
                }),
              (index) => filled[index] ?? index,
            ),
          ['bankHolidays'],
          // A line not written as "date name" gets one instruction, not one message per part.
          (_field, index) => {
            const { date, name } = holidayOf(lineTyped(index));
            return name === '' || !/^\d{4}-\d{2}-\d{2}$/.test(date)
              ? 'write the date as YYYY-MM-DD, a space and the name, like 2027-12-27 Christmas Day (substitute day)'
              : undefined;
          },
        );
        res.redirect(`/admin/stage-targets?${changed ? 'saved' : 'unchanged'}=1`);
      },
      (errors, status) => page(req, res, { errors, values }, status),
      LABELS,
      { values, choices: STAGES.map((s) => `${s}-unit`) },
    );
  });
}
