"""The command line: errors become messages and exit codes, never tracebacks."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from uptake.cli.main import app

runner = CliRunner()


def test_demo_refuses_a_file_as_out(tmp_path: Path) -> None:
    target = tmp_path / "budget.xlsx"
    target.write_text("not a folder")
    result = runner.invoke(app, ["demo", "--out", str(target)])
    assert result.exit_code == 2
    assert "is a file; --out needs a folder" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_run_without_a_project_file_says_how_to_start(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", str(tmp_path)])
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)


def test_explain_unknown_kpi_suggests_the_closest(tmp_path: Path) -> None:
    result = runner.invoke(app, ["explain", "activ_users"])
    assert result.exit_code == 2
    assert "did you mean 'active_users'?" in result.output
