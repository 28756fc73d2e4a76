"""Copy the dashboard's browser assets from node_modules into the package's static/vendor folder.

Run by `make assets` after `npm ci` (package.json and package-lock.json at the repository root pin
the versions). Standard library only, so it runs before the virtualenv exists. Nothing is fetched
at run time: the pages load these files from the server itself.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

# (package, file inside the package) -> name under static/vendor/
FILES = {
    ("echarts", "dist/echarts.min.js"): "echarts.min.js",
    ("echarts", "LICENSE"): "echarts.LICENSE.txt",
    ("swagger-ui-dist", "swagger-ui-bundle.js"): "swagger-ui-bundle.js",
    ("swagger-ui-dist", "swagger-ui.css"): "swagger-ui.css",
    ("swagger-ui-dist", "LICENSE"): "swagger-ui.LICENSE.txt",
}


def copy_assets(node_modules: Path, vendor: Path) -> list[Path]:
    vendor.mkdir(parents=True, exist_ok=True)
    written = []
    for (package, inner), name in FILES.items():
        source = node_modules / package / inner
        if not source.is_file():
            raise SystemExit(f"missing {source}: run `npm ci` at the repository root first")
        target = vendor / name
        shutil.copyfile(source, target)
        written.append(target)
    return written


if __name__ == "__main__":
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd()
    here = Path(__file__).resolve().parent
    for path in copy_assets(root / "node_modules", here / "static" / "vendor"):
        print(f"copied {path.relative_to(here)}")
