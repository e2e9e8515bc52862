"""The entry point: an interrupt at any instant, even while the command line is still loading, ends quietly."""
import sys


def run() -> None:
    """Run the command line. Ctrl+C and a termination signal end the run as an interrupt: the commands undo
    what they started (temporary folders, LibreOffice), and no traceback is printed, at any instant."""
    try:
        import signal

        if hasattr(signal, "SIGTERM"):
            signal.signal(signal.SIGTERM, _interrupt)
        from .cli import main

        main()
    except KeyboardInterrupt:
        try:
            sys.stderr.write("已中斷，未完成的輸出沒有寫入。\n")
        finally:
            sys.exit(130)  # errors.ExitCode.INTERRUPTED, not imported: this must work before anything is loaded


def _interrupt(number, frame) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":  # worker processes started by "spawn" (Windows) import this module again
    run()
