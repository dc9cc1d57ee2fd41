/** A lab server that is missing, does not come up, or fails: the message says which and ends with its log tail. */
export class LabError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LabError";
  }
}
