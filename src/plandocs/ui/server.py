"""Start the page: a socket on 127.0.0.1, the URL with its token printed (and opened), uvicorn until Ctrl+C."""
from __future__ import annotations

import contextlib
import socket
import webbrowser
from collections.abc import Callable
from pathlib import Path

from ..errors import Location, OutputError
from .security import Guard

SHUTDOWN_SECONDS = 3  # a poll of the page in flight is answered; a running job is left to its journal


def listening_socket(port: int) -> socket.socket:
    """A socket bound to 127.0.0.1 only (never to the network), on `port` or, with 0, on a free one."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError as error:
        sock.close()
        raise OutputError(f"連接埠 {port} 已被其他程式使用；請以 --port 指定其他號碼，或不加 --port 自動選擇。") from error
    sock.listen(64)
    return sock


def serve(folder: Path, port: int, open_browser: bool, say: Callable[[str], None]) -> None:
    """Serve the page for the project in `folder` until Ctrl+C; `say` prints a line for the user."""
    import uvicorn

    from .app import create_app

    if not folder.is_dir():
        raise OutputError("找不到此計畫資料夾；請以 --project 指定計畫所在的資料夾。", Location(file=str(folder)))
    sock = listening_socket(port)
    guard = Guard.fresh(sock.getsockname()[1])
    app = create_app(folder, guard)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                            timeout_graceful_shutdown=SHUTDOWN_SECONDS)
    url = guard.url()
    say(url)
    say(f"plandocs 網頁已啟動（計畫資料夾：{folder.resolve()}）。" + ("請以瀏覽器開啟上列網址；" if not open_browser else "")
        + "此網址只在這台電腦有效，請勿分享。結束請按 Ctrl+C。")
    if open_browser:
        webbrowser.open(url)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # uvicorn has shut down and passes the Ctrl+C on
    finally:
        with contextlib.suppress(OSError):
            sock.close()
    running = app.state.runner.current
    if running is not None and not running.finished:
        say(f"「{running.title}」未完成即結束，未完成的輸出沒有寫入。")
    say("plandocs 網頁已結束。")
