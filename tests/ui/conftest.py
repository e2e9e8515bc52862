"""The page served for real: uvicorn on a free port of 127.0.0.1, in a thread of the test process, so that a
test can see which file the page asked to open in Excel."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest


@dataclass
class Served:
    folder: Path
    url: str  # the first visit's URL, with the token
    origin: str
    opened: list[Path] = field(default_factory=list)  # what the page opened "in Excel or Word"


@pytest.fixture
def serve():
    """serve(folder) starts the page for a project folder; every server started is stopped after the test."""
    import uvicorn

    from plandocs.ui.app import create_app
    from plandocs.ui.security import Guard
    from plandocs.ui.server import listening_socket

    servers = []

    def start(folder: Path) -> Served:
        sock = listening_socket(0)
        guard = Guard.fresh(sock.getsockname()[1])
        served = Served(folder, guard.url(), f"http://127.0.0.1:{guard.port}")
        config = uvicorn.Config(create_app(folder, guard, open_file=served.opened.append), log_level="warning",
                                access_log=False, lifespan="off")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.01)
        servers.append((server, thread, sock))
        return served

    yield start
    for server, thread, sock in servers:
        server.should_exit = True
        thread.join(10)
        sock.close()
