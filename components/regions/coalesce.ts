/**
 * `run` at most once per `ms`: the first call schedules it, later calls within the window join that run.
 * A burst of live events (a stage change writes several) then costs one refetch, not one each.
 */
export function coalesce(run: () => void, ms: number): { (): void; cancel: () => void } {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const schedule = () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      run();
    }, ms);
  };
  schedule.cancel = () => {
    if (timer) clearTimeout(timer);
    timer = null;
  };
  return schedule;
}
