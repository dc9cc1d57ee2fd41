/**
 * `run` at once on the first call, then at most once per `ms`: calls inside the window join one trailing run at
 * its end. A lone live event shows without delay; a burst (a stage change writes several) costs two refetches,
 * not one each.
 */
export function coalesce(run: () => void, ms: number): { (): void; cancel: () => void } {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let pending = false;
  const closeWindow = () => {
    timer = null;
    if (!pending) return;
    pending = false;
    run();
    timer = setTimeout(closeWindow, ms);
  };
  const schedule = () => {
    if (timer) {
      pending = true;
      return;
    }
    run();
    timer = setTimeout(closeWindow, ms);
  };
  schedule.cancel = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    pending = false;
  };
  return schedule;
}
