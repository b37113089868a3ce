"""rqdash: a web dashboard and CLI for RQ, shipped as one Rust binary.

The pip wheel installs the `rqdash` executable into the environment's scripts directory; this
package exists only so that `python -m rqdash` works too (see __main__.py).
"""

import os
import shutil
import sys
import sysconfig

__all__ = ["find_rqdash_bin"]


def find_rqdash_bin() -> str:
    """Path of the installed `rqdash` executable: this environment's scripts dir, else PATH."""
    exe = "rqdash" + (sysconfig.get_config_var("EXE") or "")
    # Where pip put the scripts: this interpreter's scheme (venv or system), then the --user one.
    dirs = [sysconfig.get_path("scripts")]
    user = sysconfig.get_preferred_scheme("user") if hasattr(sysconfig, "get_preferred_scheme") else f"{os.name}_user"
    try:
        dirs.append(sysconfig.get_path("scripts", user))
    except KeyError:
        pass
    for d in dirs:
        path = os.path.join(d, exe)
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    found = shutil.which(exe)
    if found:
        return found
    raise FileNotFoundError(f"the {exe} executable was not found in {sys.prefix} nor on PATH")
