"""`python -m photomanager.cli`: the same as the `photomanager` command."""

from __future__ import annotations

from photomanager.cli.app import main

main()
