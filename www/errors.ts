// How the page says that something failed: the words of an error, and the panels' error
// boxes (`role="alert"`, hidden while there is nothing to say).

/** The message of an error (the core's sentence, with its row, column and fix). */
export function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Shows `text` in the error box `box`, or hides the box when `text` is `null`. */
export function showError(box: HTMLElement, text: string | null): void {
  box.textContent = text ?? '';
  box.hidden = text === null;
}
