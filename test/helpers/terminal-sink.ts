/** A sink that says it is a terminal (so the spinner, colour and prompts run) and keeps every byte written. */
export function terminalSink(tty = true) {
  return {
    isTTY: tty,
    columns: 100,
    text: '',
    write(s: string) {
      this.text += s;
      return true;
    },
    // What a tty.WriteStream offers, for the spinner.
    cursorTo: () => true,
    clearLine: () => true,
    moveCursor: () => true,
    on: () => undefined,
    once: () => undefined,
    removeListener: () => undefined,
  };
}
