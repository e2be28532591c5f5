import type {
  OpsHubMaintenanceWindow,
  OpsHubMaintenanceWindowInput,
  OpsHubWeekday,
} from '@opshub/plugin-opshub-common';

/** The week's days, Monday first, with how they are shown. */
export const WEEKDAYS: { day: OpsHubWeekday; label: string }[] = [
  { day: 'mon', label: 'Mon' },
  { day: 'tue', label: 'Tue' },
  { day: 'wed', label: 'Wed' },
  { day: 'thu', label: 'Thu' },
  { day: 'fri', label: 'Fri' },
  { day: 'sat', label: 'Sat' },
  { day: 'sun', label: 'Sun' },
];

/** The add-a-window form's fields, as typed. */
export interface MaintenanceForm {
  kind: 'once' | 'weekly';
  /** `YYYY-MM-DDTHH:mm`, local to `timeZone` (once). */
  startsAt: string;
  endsAt: string;
  /** (weekly) */
  days: OpsHubWeekday[];
  startTime: string;
  durationMinutes: string;
  timeZone: string;
  reason: string;
}

/** The browser's time zone, where a new window's local times are meant. */
export const browserTimeZone = () =>
  new Intl.DateTimeFormat().resolvedOptions().timeZone;

export const newMaintenanceForm = (): MaintenanceForm => ({
  kind: 'once',
  startsAt: '',
  endsAt: '',
  days: [],
  startTime: '',
  durationMinutes: '60',
  timeZone: browserTimeZone(),
  reason: '',
});

const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/;
const LOCAL_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const WEEK_MINUTES = 7 * 24 * 60;

/** Whether the zone is one the browser knows (an unknown one throws). */
const isTimeZone = (zone: string) => {
  try {
    return (
      new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions()
        .timeZone !== ''
    );
  } catch {
    return false;
  }
};

/** Why each field cannot be sent, if it cannot. */
export function maintenanceProblemsOf(
  form: MaintenanceForm,
): Partial<Record<keyof MaintenanceForm, string>> {
  const problems: Partial<Record<keyof MaintenanceForm, string>> = {};
  if (!isTimeZone(form.timeZone.trim())) {
    problems.timeZone = 'A time zone such as Europe/Berlin';
  }
  if (form.kind === 'once') {
    if (!LOCAL_DATE_TIME.test(form.startsAt)) problems.startsAt = 'Required';
    if (!LOCAL_DATE_TIME.test(form.endsAt)) {
      problems.endsAt = 'Required';
    } else if (form.endsAt <= form.startsAt) {
      problems.endsAt = 'After the start';
    }
    return problems;
  }
  if (form.days.length === 0) problems.days = 'At least one day';
  if (!LOCAL_TIME.test(form.startTime)) problems.startTime = 'Required';
  const minutes = form.durationMinutes.trim();
  if (!/^[1-9]\d*$/.test(minutes) || Number(minutes) > WEEK_MINUTES) {
    problems.durationMinutes = `Whole minutes from 1 to ${WEEK_MINUTES}`;
  }
  return problems;
}

/** The window the form describes, as the API takes it. */
export function maintenanceInputOf(
  form: MaintenanceForm,
): OpsHubMaintenanceWindowInput {
  const common = {
    timeZone: form.timeZone.trim(),
    reason: form.reason.trim() || null,
  };
  if (form.kind === 'once') {
    return {
      kind: 'once',
      startsAt: form.startsAt,
      endsAt: form.endsAt,
      ...common,
    };
  }
  return {
    kind: 'weekly',
    // In the week's order, whatever order they were ticked in.
    days: WEEKDAYS.map(w => w.day).filter(day => form.days.includes(day)),
    startTime: form.startTime,
    durationMinutes: Number(form.durationMinutes.trim()),
    ...common,
  };
}

/** "2026-12-05 22:00 – 2026-12-06 02:00" or "Sat, Sun 02:00 for 60 min". */
export function describeWindow(window: OpsHubMaintenanceWindow): string {
  if (window.kind === 'once') {
    const local = (at: string) => at.replace('T', ' ');
    return `${local(window.startsAt)} – ${local(window.endsAt)}`;
  }
  const days = WEEKDAYS.filter(w => window.days.includes(w.day))
    .map(w => w.label)
    .join(', ');
  return `Every ${days} at ${window.startTime} for ${window.durationMinutes} min`;
}
