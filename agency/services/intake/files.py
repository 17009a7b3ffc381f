"""Where an import's file lives: kept while its import may run or resume, deleted once
the file is refused (an operator's own file, imported from the CLI, is never touched)."""
from __future__ import annotations

import os

from agency.models import Portfolio


def discard_file(portfolio: Portfolio) -> None:
    """Delete the stored copy of a refused file."""
    if portfolio.source == "cli" or not portfolio.stored_path:
        return
    try:
        os.unlink(portfolio.stored_path)
    except FileNotFoundError:
        pass
