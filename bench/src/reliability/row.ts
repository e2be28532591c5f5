/** One check of a row: what was measured against its goal. */
export interface Check {
  /** E.g. `jobs lost`. */
  name: string;
  /** E.g. `0`, `< 50 ms`. */
  goal: string;
  /** What the run measured, e.g. `0` or `31.2 ms`. */
  result: string;
  pass: boolean;
}

export interface RowContext {
  /** The bounded run of scripts/test.sh (`--quick`): fewer cases, same checks. */
  quick: boolean;
  /** Prints a progress line prefixed with the row's id. */
  log(line: string): void;
  /** Epoch ms by which the row must have ended (and stopped what it started). */
  deadline: number;
}

/** A row of the reliability table: one promise of OpsHub turned into numbers. */
export interface Row {
  /** `R1` … `R9`. */
  id: string;
  /** E.g. `hostile input`. */
  title: string;
  /** Longest the row may take; past it the row fails (and the run stops). */
  budgetMs(quick: boolean): number;
  /** Runs the scenario, stops everything it started, returns its checks. */
  run(context: RowContext): Promise<Check[]>;
}

/** A check whose result must equal its goal exactly, e.g. `leaks 0`. */
export function exactly(name: string, goal: number, result: number): Check {
  return {
    name,
    goal: String(goal),
    result: String(result),
    pass: result === goal,
  };
}

/** A check whose result must stay below a limit, e.g. `accept p99 < 50 ms`. */
export function below(
  name: string,
  limit: number,
  result: number,
  unit = '',
): Check {
  const suffix = unit ? ` ${unit}` : '';
  return {
    name,
    goal: `< ${limit}${suffix}`,
    result: `${Math.round(result * 10) / 10}${suffix}`,
    pass: result < limit,
  };
}
