#!/usr/bin/env python3
"""Runs a program at a terminal of its own (a pseudo-terminal), as a person in the room does.

usage: pty_session.py [--expect TEXT --type TEXT]... -- PROGRAM [ARGS...]

Everything the program writes to its terminal is copied to stdout as it comes (the screen, with
the terminal's own echo of what was typed, if any). The pairs run in order: wait until the screen
shows TEXT (after where the previous pair found its text), then type the keys as given (a newline
ends a line; "\\x03" is Ctrl-C). Ctrl-C for this runner (SIGINT) is typed at the program's terminal.
Exits with the program's exit code (128 + N when signal N ended it), or 99 when an expected text
does not come within 60 s.
"""
import os
import pty
import select
import signal
import sys
import time

EXPECT_SECONDS = 60


def main(argv):
    split = argv.index("--")
    words, command = argv[:split], argv[split + 1:]
    if len(words) % 4 or any(words[i] != "--expect" or words[i + 2] != "--type" for i in range(0, len(words), 4)):
        sys.exit("usage: pty_session.py [--expect TEXT --type TEXT]... -- PROGRAM [ARGS...]")
    steps = [(words[i + 1], words[i + 3]) for i in range(0, len(words), 4)]

    pid, terminal = pty.fork()
    if pid == 0:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # as at a shell, even if this runner ignored it
        os.execvp(command[0], command)  # raises (and the child exits) when it cannot start

    signal.signal(signal.SIGINT, lambda *_: os.write(terminal, b"\x03"))
    screen = b""
    searched = 0  # the screen before this was matched by an earlier step
    step = 0
    deadline = time.monotonic() + EXPECT_SECONDS
    while True:
        if step < len(steps):
            expected = steps[step][0].encode()
            found = screen.find(expected, searched)
            if found >= 0:
                os.write(terminal, steps[step][1].encode())
                searched = found + len(expected)
                step += 1
                deadline = time.monotonic() + EXPECT_SECONDS
                continue
            if time.monotonic() > deadline:
                os.write(1, b"\npty_session.py: no \"" + expected + b"\" on the screen\n")
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return 99
        ready, _, _ = select.select([terminal], [], [], 0.1)
        if not ready:
            continue
        try:
            data = os.read(terminal, 4096)
        except OSError:  # EIO: the program closed its terminal (it ended)
            data = b""
        if not data:
            break
        os.write(1, data)
        screen += data
    _, status = os.waitpid(pid, 0)
    return 128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
