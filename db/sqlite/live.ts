/**
 * Commits by other processes on the same SQLite file (a worker running apart from the web server, a script): every
 * commit appends to the file's write-ahead log, so a watch on the file's directory (inotify on Linux) hears
 * `<file>-wal` change and calls `heard`. The directory is watched, not the log: SQLite deletes and recreates the log
 * (the last connection's close, a restart). It watches while anyone holds it. This process's own commits are heard
 * too (the store has told its listeners already): readers of the live signal coalesce their looks (at most one every
 * 50 ms), so the echo costs at most one look.
 */
import { watch, type FSWatcher } from "node:fs";
import path from "node:path";

export function walWatch(file: string, heard: () => void): { hold(): () => void; close(): void } {
  const log = `${path.basename(file)}-wal`;
  let holders = 0;
  let watcher: FSWatcher | null = null;

  function close(): void {
    watcher?.close();
    watcher = null;
  }

  return {
    hold() {
      holders++;
      if (!watcher && file !== ":memory:" && file !== "") {
        watcher = watch(path.dirname(file), { persistent: false }, (_event, name) => {
          if (name === null || name.toString() === log) heard();
        });
        // The directory removed under a running process (a test's temp dir): the live pages keep their once-a-second look.
        watcher.on("error", close);
      }
      let held = true;
      return () => {
        if (!held) return;
        held = false;
        if (--holders === 0) close();
      };
    },
    close,
  };
}
