"""Headless Chromium for tests: load a local HTML file (file://, network blocked), dump the DOM,
take a screenshot, collect console messages. Required when ELIG_REQUIRE_BROWSER=1 (CI), else
tests skip with the reason when /usr/bin/chromium (or $ELIG_CHROMIUM) is missing."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--disable-default-apps",
    # the network is off for the page: every host resolves to nothing, no proxy reachable
    "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9",
    "--enable-logging=stderr", "--v=0",
]


def chromium() -> str:
    exe = os.environ.get("ELIG_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(exe).exists():
        if os.environ.get("ELIG_REQUIRE_BROWSER") == "1":
            pytest.fail(f"ELIG_REQUIRE_BROWSER=1 but no Chromium at {exe} (apt-get install chromium)")
        pytest.skip(f"Chromium not installed at {exe}: browser tests skipped (CI sets ELIG_REQUIRE_BROWSER=1)")
    return exe


@dataclass
class Page:
    dom: str
    console: list[str]
    stderr: str


def load(html_file: Path, *extra: str, timeout: int = 90) -> Page:
    """``--dump-dom`` of the file, with the console messages Chromium logged while loading it."""
    exe = chromium()
    with tempfile.TemporaryDirectory(prefix="elig-chromium-") as profile:
        proc = subprocess.run(
            [exe, *FLAGS, f"--user-data-dir={profile}", *extra, "--dump-dom", html_file.resolve().as_uri()],
            capture_output=True, text=True, timeout=timeout, check=False,
        )
    assert proc.returncode == 0, proc.stderr[-2000:]
    console = [ln for ln in proc.stderr.splitlines() if re.search(r":CONSOLE[:(]|Uncaught", ln)]
    return Page(proc.stdout, console, proc.stderr)


def screenshot(html_file: Path, png: Path, size: str = "1280,1600", timeout: int = 90) -> Path:
    exe = chromium()
    with tempfile.TemporaryDirectory(prefix="elig-chromium-") as profile:
        proc = subprocess.run(
            [exe, *FLAGS, f"--user-data-dir={profile}", f"--window-size={size}", f"--screenshot={png}",
             "--hide-scrollbars", html_file.resolve().as_uri()],
            capture_output=True, text=True, timeout=timeout, check=False, cwd=png.parent,
        )
    assert proc.returncode == 0 and png.exists(), proc.stderr[-2000:]
    return png


def distinct_colours(png: Path) -> int:
    """How many distinct RGB colours the screenshot holds (a blank page has one)."""
    import matplotlib.image as mpimg
    import numpy as np

    img = mpimg.imread(str(png))[:, :, :3]
    flat = (img.reshape(-1, 3) * 255).astype(np.uint8)
    return len(np.unique(flat, axis=0))
