"""What a handler's module may import, as in Lambda: the function's own directory is on
the import path (LAMBDA_TASK_ROOT), so a handler can import a module shipped beside it
(it once could not: Runtime.ImportModuleError, No module named 'helpers')."""

from __future__ import annotations

from pathlib import Path

from tests.aws import _kit


def test_a_handler_imports_a_module_beside_it(tmp_path: Path) -> None:
    (tmp_path / "helpers.py").write_text("def greeting():\n    return 'hello'\n")
    tables = _kit.run_handler(
        tmp_path,
        """
        import helpers


        def handler(event, context):
            print(helpers.greeting())
        """,
    )
    [invocation] = tables["invocations"].to_dict("records")
    assert (invocation["outcome"], invocation["log"]) == ("ok", "hello\n")
