"""The page's routes: each view rendered from the project and its last jobs, each job a library call."""
from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from http import HTTPStatus
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from ..errors import PlandocsError
from ..report import INTERNAL_ERROR
from ..text import roc_date
from . import views
from .actions import ACTIONS
from .jobs import Busy, Job, Runner
from .project import Project, listed, open_in_application
from .security import CSRF_HEADER, Guard, Refusal
from .uploads import MAX_FILES, MAX_REQUEST_BYTES, ReturnsFolder, Stored

HERE = Path(__file__).parent
TABS = (("plan", "計畫"), ("returns", "回報"), ("results", "彙整結果"), ("new", "新計畫／明年計畫"))
SHOWN_RETURNS = 300  # files listed on the 回報 page; the count says how many there are
# What 「開啟」 hands to the computer's own application: the office files the page lists, nothing runnable.
EDITABLE_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".docx", ".doc", ".odt", ".pdf"}
SHOWN_CELL_PROBLEMS = 6  # a unit's problems in its ledger line; the rest fold away under 「另有 N 處」


class GuardMiddleware:
    """Every request passes the Guard first; a first visit's token becomes the cookie and leaves the URL."""

    def __init__(self, app: ASGIApp, guard: Guard, refused: Callable[[Refusal], Response]):
        self.app, self.guard, self.refused = app, guard, refused

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request = Request(scope)
        given = self.guard.given_token(request.url.query)
        cookie = given if given is not None else request.cookies.get(self.guard.cookie_name)
        refusal = self.guard.refusal(request.method, request.headers.get("host", ""), request.headers.get("origin"),
                                     cookie, request.headers.get(CSRF_HEADER))
        if refusal is not None:
            return await self.refused(refusal)(scope, receive, send)
        if given is not None:
            response = RedirectResponse(self.guard.without_token(request.url.path, request.url.query),
                                        HTTPStatus.SEE_OTHER)
            response.set_cookie(self.guard.cookie_name, given, httponly=True, samesite="strict")
            return await response(scope, receive, send)
        await self.app(scope, receive, send)


def create_app(folder: Path, guard: Guard, open_file: Callable[[Path], None] = open_in_application) -> Starlette:
    project = Project.at(folder)
    runner = Runner()
    uploaded: list[Stored] = []  # the last upload, sent in one or several requests
    templates = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(),
                            trim_blocks=True, lstrip_blocks=True)

    def page(name: str, view: str, status: int = HTTPStatus.OK, **values) -> HTMLResponse:
        context = {"tabs": TABS, "view": view, "csrf": guard.csrf_token, "project": project, "job": runner.current}
        return HTMLResponse(templates.get_template(name).render({**context, **values}), status)

    def refused(refusal: Refusal) -> Response:
        # told to whoever asked, who may not be the user: the page shows nothing of the project, no CSRF token
        return page("refused.html", "", refusal.status, message=refusal.message)

    def latest(kind: str) -> Job | None:
        job = runner.latest.get(kind)
        return job if job is not None and job.finished else None

    async def plan_view(request: Request) -> Response:
        paths = project.paths
        last = max((job for job in (latest("check"), latest("build")) if job), key=lambda job: job.number, default=None)
        files = views.downloads(listed(paths.output), paths.output, project.folder)
        return page("plan.html", "plan", paths=paths, last=last,
                    problems=views.problem_rows(_problems(last), paths, project.folder),
                    documents=[f for f in files if not f.unit], unit_files=views.by_unit(f for f in files if f.unit),
                    templates_found=sorted(p.name for p in paths.templates.glob("*.docx")) if paths.templates.is_dir() else [])

    async def returns_view(request: Request) -> Response:
        files = ReturnsFolder(project.returns).files()
        return page("returns.html", "returns", files=files[:SHOWN_RETURNS], file_count=len(files),
                    uploaded=uploaded, collect=latest("collect"), max_files=MAX_FILES)

    async def results_view(request: Request) -> Response:
        job = latest("collect")
        if job is None or job.failure is not None:
            return page("results.html", "results", report=None, collect=job)
        report = job.result
        files = views.downloads(views.artifact_files(report.artifacts), report.folder, project.folder)
        rows = views.ledger(report.collection, files)
        state = request.query_params.get("state")
        state = state if state in views.FILTER_STATES else None
        return page("results.html", "results", report=report, collect=job, rows=views.with_state(rows, state),
                    state=state, filters=views.state_filters(rows), shown_problems=SHOWN_CELL_PROBLEMS,
                    bars=views.chart(report.collection),
                    documents=[f for f in files if not f.unit], as_of=roc_date(report.collection.as_of),
                    pdf_problems=views.problem_rows(report.pdf_problems, project.paths, project.folder))

    async def new_view(request: Request) -> Response:
        return page("new.html", "new", created=latest("new"), rolled=latest("rollover"),
                    has_master=project.paths.source.is_file(), has_proposals=project.consolidated_workbook() is not None)

    async def start_job(request: Request) -> Response:
        kind = request.path_params["kind"]
        action = ACTIONS.get(kind)
        if action is None:
            return JSONResponse({"message": "沒有這項工作。"}, HTTPStatus.NOT_FOUND)
        try:
            work, output = action.prepare(project, await request.form())
            job = runner.start(kind, action.title, action.view, work, output_lock=output)
        except Busy as error:
            return JSONResponse({"message": error.message}, HTTPStatus.CONFLICT)
        except PlandocsError as error:
            return JSONResponse({"message": error.format()}, HTTPStatus.BAD_REQUEST)
        return JSONResponse(job.status(), HTTPStatus.ACCEPTED)

    async def job_status(request: Request) -> Response:
        return JSONResponse(runner.current.status() if runner.current else {"number": 0})

    async def upload(request: Request) -> Response:
        length = request.headers.get("content-length")
        if length is None or not length.isdigit():
            return JSONResponse({"message": "無法得知上傳的大小，未存放；請改用其他瀏覽器。"}, HTTPStatus.LENGTH_REQUIRED)
        if int(length) > MAX_REQUEST_BYTES:
            return JSONResponse({"message": f"一次上傳超過 {MAX_REQUEST_BYTES // 1024 // 1024} MB，未存放；請分批加入。"},
                                HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        try:
            with runner.holding("加入回報"):
                async with request.form(max_files=MAX_FILES, max_fields=10) as form:
                    if form.get("first") == "1":
                        uploaded.clear()
                    returns = ReturnsFolder(project.returns)
                    stored = [returns.store(part.filename or "", await part.read())
                              for part in form.getlist("files") if hasattr(part, "filename")]
        except Busy as error:
            return JSONResponse({"message": error.message}, HTTPStatus.CONFLICT)
        except HTTPException:  # what the multipart parser refuses: too many files, a broken request
            return JSONResponse({"message": f"一次最多加入 {MAX_FILES} 個檔案，或上傳的內容不完整，未存放；請分批再加入。"},
                                HTTPStatus.BAD_REQUEST)
        uploaded.extend(stored)
        return JSONResponse({"stored": [{"name": s.sent_name, "message": s.message, "kept": s.kept} for s in stored]})

    async def open_project_file(request: Request) -> Response:
        path = project.file(str((await request.form()).get("path", "")))
        if path is None:
            return JSONResponse({"message": "找不到此檔案。"}, HTTPStatus.NOT_FOUND)
        if path.suffix.lower() not in EDITABLE_SUFFIXES:  # a file a unit sent may be anything: never run it
            return JSONResponse({"message": f"只開啟 Excel、Word 與 PDF 檔案；「{path.name}」請自行開啟。"},
                                HTTPStatus.FORBIDDEN)
        try:
            open_file(path)
        except OSError:
            return JSONResponse({"message": f"無法自動開啟，請自行開啟：{path}"}, HTTPStatus.OK)
        return JSONResponse({"message": f"已開啟 {path.name}；修改並儲存後，再按「檢查」。"})

    async def download(request: Request) -> Response:
        path = project.file(request.path_params["path"])
        if path is None:
            return page("refused.html", "", HTTPStatus.NOT_FOUND, message="找不到此檔案；可能已被移除或重新產生，請重新整理頁面。")
        return FileResponse(path, filename=path.name, content_disposition_type="attachment")

    routes = [
        Route("/", lambda request: RedirectResponse("/plan", HTTPStatus.SEE_OTHER)),
        Route("/plan", plan_view), Route("/returns", returns_view), Route("/results", results_view),
        Route("/new", new_view),
        Route("/jobs/current", job_status), Route("/jobs/{kind}", start_job, methods=["POST"]),
        Route("/returns/upload", upload, methods=["POST"]), Route("/open", open_project_file, methods=["POST"]),
        Route("/files/{path:path}", download),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]

    async def http_error(request: Request, error: HTTPException) -> Response:
        message = "找不到此頁；請由上方的分頁進入。" if error.status_code == HTTPStatus.NOT_FOUND else "無法處理此要求；請重新整理頁面後再試。"
        return page("refused.html", "", error.status_code, message=message)

    async def unexpected(request: Request, error: Exception) -> Response:
        sys.stderr.write("plandocs ui：頁面發生未預期的問題，以下訊息請提供給維護人員：\n")
        traceback.print_exception(error)
        return page("refused.html", "", HTTPStatus.INTERNAL_SERVER_ERROR, message=INTERNAL_ERROR + "請重新整理頁面後再試。")

    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error, Exception: unexpected})
    app.add_middleware(GuardMiddleware, guard=guard, refused=refused)
    app.state.runner = runner  # for the server's last line: a job cut short by Ctrl+C
    return app


def _problems(last: Job | None) -> list:
    """The problems the newer of the last check and build found, the ones a build stopped on included."""
    if last is None:
        return []
    if last.failure is not None:
        return last.failure.problems
    return last.result if last.kind == "check" else last.result.problems + last.result.pdf_problems
