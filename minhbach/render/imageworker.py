"""vl-convert in a process of its own, started when a build starts.

vl-convert's first image in a process waits for the fonts to be registered and its
JavaScript runtime to start, far longer than any later image (docs/performance.md). It
holds the GIL while it works, so a thread of the build's process cannot hide that cost.
A build that changed one figure has one chart to draw, and used to wait the whole
warm-up for it after the check, the model and the open data.

`ImageWorker()` starts a process that warms vl-convert up at once, while the build's
process checks the content and computes the model; by the time the charts are known it
draws each at once. The process is forked when that is safe (Linux, one
thread) and spawned otherwise; it imports only vl-convert, so it starts light either way,
and it creates no thread in the build's process, which forks its own workers later.

Requests and replies are pickled over a pipe: a list of jobs (a Vega-Lite spec as JSON
and the d3 number and time locales) in, the same number of SVGs (UTF-8) out, or the
error vl-convert raised; or charts in and each as SVG and as PNG at print resolution out
(a press kit's).
"""

from __future__ import annotations

import contextlib
import traceback
from multiprocessing import get_context
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from minhbach.machinery.processes import may_fork

#: The fonts the charts are drawn with (the site serves the same files).
FONTS = Path(__file__).resolve().parent / "fonts"

#: One chart to draw: the Vega-Lite spec (JSON), d3's number locale and time locale.
Job = tuple[str, dict[str, Any], dict[str, Any]]

# What the worker draws to warm up: the smallest spec that starts Vega's runtime.
_WARM_UP = '{"data":{"values":[{"a":1}]},"mark":"bar","encoding":{"x":{"field":"a"}}}'


#: The request for the Vega bundle, in place of a batch of charts.
BUNDLE = "bundle"

#: A batch of charts to draw and rasterise, in place of a batch of charts: the request
#: is `(FIGURES, [job, ...])`, the answer `[(svg, png), ...]` (a press kit's charts).
FIGURES = "figures"

#: Pixels per inch of a chart's PNG: print resolution (a press kit's charts).
PRINT_PPI = 300


class ImageWorkerError(RuntimeError):
    """vl-convert failed in the worker, or the worker is gone; the message says which."""


class ImageWorker:
    """A process that draws Vega-Lite specs as SVG, one batch at a time."""

    def __init__(self, fonts: Path = FONTS) -> None:
        context = get_context("fork") if may_fork() else get_context("spawn")
        self._connection, theirs = context.Pipe()
        self._process = context.Process(
            target=_serve, args=(theirs, str(fonts)), name="minhbach-images", daemon=True
        )
        self._process.start()
        theirs.close()
        self._waiting = False
        self._closed = False
        self.bundle_asked = False

    def send(self, jobs: list[Job]) -> None:
        """Ask for these charts; `receive` gives their SVGs, in the same order."""
        self._ask(jobs)
        self._waiting = True

    def receive(self) -> list[bytes]:
        """The SVGs of the batch sent last (waits for them)."""
        self._waiting = False
        return list(self._answer())

    def draw(self, jobs: list[Job]) -> list[bytes]:
        self.send(jobs)
        return self.receive()

    def send_figures(self, jobs: list[Job]) -> None:
        """Ask for these charts as SVG and as PNG at print resolution; `receive_figures`
        gives them, in the same order. Asked for before the pages are rendered, they are
        drawn while the pages are."""
        self._ask((FIGURES, jobs))
        self._waiting = True

    def receive_figures(self) -> list[tuple[bytes, bytes]]:
        self._waiting = False
        return list(self._answer())

    def start_bundle(self) -> None:
        """Ask for the Vega bundle (vl-convert's, slow to make); `bundle` gives it.

        Asked for while the build's process computes the model on one core, it is made on
        the other."""
        self._ask(BUNDLE)
        self.bundle_asked = True

    def bundle(self) -> bytes:
        """The bundle asked for by `start_bundle` (waits for it)."""
        self.bundle_asked = False
        return bytes(self._answer())

    def _ask(self, request: list[Job] | str | tuple[str, list[Any]]) -> None:
        if self._waiting or self.bundle_asked:
            raise ImageWorkerError("the previous batch of charts was not received")
        try:
            self._connection.send(request)
        except OSError as exc:
            raise self._stopped() from exc

    def _answer(self) -> Any:  # list[bytes] for charts, bytes for the bundle
        try:
            reply = self._connection.recv()
        except (EOFError, OSError) as exc:
            raise self._stopped() from exc
        if isinstance(reply, str):
            raise ImageWorkerError(f"vl-convert failed in the chart worker:\n{reply}")
        return reply

    def _stopped(self) -> ImageWorkerError:
        self._process.join(timeout=1)
        return ImageWorkerError(f"the chart worker stopped (exit code {self._process.exitcode})")

    def close(self) -> None:
        """Stop the process (at once if it is still drawing); again, nothing."""
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(OSError):
            self._connection.send(None)
        # Still drawing, or making the bundle, for a build that failed: no need to wait.
        self._process.join(timeout=0 if self._waiting or self.bundle_asked else 2)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join()
        self._connection.close()

    def __enter__(self) -> ImageWorker:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def draw(jobs: list[Job], fonts: Path = FONTS) -> list[bytes]:
    """Draw in this process (what the worker does for each job)."""
    import vl_convert

    _register_fonts(str(fonts))
    return [
        vl_convert.vegalite_to_svg(
            spec, format_locale=number_locale, time_format_locale=time_locale
        ).encode("utf-8")
        for spec, number_locale, time_locale in jobs
    ]


def figures(jobs: list[Job], fonts: Path = FONTS) -> list[tuple[bytes, bytes]]:
    """Draw each job, in this process, as SVG and as PNG (`draw`, `rasterise`)."""
    svgs = draw(jobs, fonts)
    return list(zip(svgs, rasterise(svgs, fonts), strict=True))


def rasterise(svgs: list[bytes], fonts: Path = FONTS) -> list[bytes]:
    """Each SVG (one `draw` made) as a PNG at `PRINT_PPI`, in this process: resvg's
    rasteriser, with the charts' fonts."""
    import vl_convert

    _register_fonts(str(fonts))
    return [vl_convert.svg_to_png(svg.decode("utf-8"), ppi=PRINT_PPI) for svg in svgs]


_REGISTERED: set[str] = set()


def _register_fonts(fonts: str) -> None:
    import vl_convert

    if fonts not in _REGISTERED:
        vl_convert.register_font_directory(fonts)
        _REGISTERED.add(fonts)


def _serve(connection: Connection, fonts: str) -> None:
    """The worker: warm up, then draw each batch received until told to stop."""
    try:
        import vl_convert

        _register_fonts(fonts)
        vl_convert.vegalite_to_svg(_WARM_UP)
    except Exception:
        failure: str | None = traceback.format_exc()
    else:
        failure = None
    while True:
        try:
            jobs = connection.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if jobs is None:
            return
        if failure is not None:
            connection.send(failure)
            continue
        try:
            if jobs == BUNDLE:
                bundle = vl_convert.javascript_bundle()  # type: ignore[call-arg]
                reply: Any = bundle.encode("utf-8")
            elif isinstance(jobs, tuple) and jobs[0] == FIGURES:
                reply = figures(jobs[1], Path(fonts))
            else:
                reply = draw(jobs, Path(fonts))
        except Exception:
            reply = traceback.format_exc()
        connection.send(reply)
